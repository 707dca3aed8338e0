/** `npm run weights`: the download step against a local server (checksum, progress, conversion) and convert. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRawWeights } from '../src/io/raw_weights.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-wtool-'));
const pth = join(dir, 'small.pth');
let url = '';
let sha = '';
let server: ReturnType<typeof createServer>;

beforeAll(async () => {
  const r = spawnSync('/usr/bin/python3', ['tools/make_torch_state_dict.py', '1', `${pth}:vgg19-first3`], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  const body = readFileSync(pth);
  sha = createHash('sha256').update(body).digest('hex');
  server = createServer((_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vgg19-test.pth`;
}, 300_000);
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function tool(args: string[]): Promise<{ code: number | null; err: string }> {
  // async spawn: the download server runs in this process
  return new Promise((resolve) => {
    const p = spawn('npx', ['tsx', 'tools/weights.ts', ...args]);
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, err }));
  });
}

const load = (json: string) => {
  const bin = readFileSync(json.replace(/\.json$/, '.bin'));
  return parseRawWeights(readFileSync(json, 'utf8'), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), json);
};

describe('weights tool', () => {
  it('downloads, verifies the checksum and converts', async () => {
    const out = join(dir, 'dl', 'vgg19.json');
    const r = await tool(['download', '--url', url, '--sha256', sha.slice(0, 8), '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/downloaded 0\.\d MB/);
    expect([...load(out).layers.keys()]).toEqual(['conv1_1', 'conv1_2', 'conv2_1']);
  });
  it('refuses a download whose checksum does not match, keeping nothing', async () => {
    const out = join(dir, 'bad', 'vgg19.json');
    const r = await tool(['download', '--url', url, '--sha256', 'deadbeef', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/checksum mismatch .* does not start with deadbeef/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(out.replace('.json', '.pth'))).toBe(false);
  });
  it('downloads Gatys-style (--gatys): no published checksum, so it prints the SHA-256 and converts', async () => {
    const out = join(dir, 'gatys', 'vgg_conv.json');
    const r = await tool(['download', '--gatys', '--url', url, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`SHA-256 ${sha} (no checksum to compare with)`);
    expect(load(out).layers.size).toBe(3);
  });
  it('converts a local .pth', async () => {
    const out = join(dir, 'conv', 'w.json');
    const r = await tool(['convert', pth, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(load(out).layers.size).toBe(3);
  });
});
