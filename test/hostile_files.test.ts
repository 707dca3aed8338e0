/**
 * Weight files that are wrong in their container, not their pickle: special files refused before
 * they are opened, raw manifests checked field by field, a zip with a name twice. Every refusal is
 * one line naming the file (test/hostile_pickles.test.ts has the pickles).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRawWeights, toRawWeights } from '../src/io/raw_weights.js';
import { readZipDirectory } from '../src/io/zip.js';
import { loadPretrained } from '../src/io/pretrained.js';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '../src/io/safetensors.js';
import { FileSource } from '../tools/lib/file_source.js';
import { randomNetwork } from '../src/model/weights.js';
import { loadWeightsFile } from '../tools/lib/weights_files.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-hostile-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('special files are refused before they are opened', () => {
  it.each([
    ['a FIFO with no writer (opening it would block)', 'pipe.pth', (p: string) => spawnSync('mkfifo', [p]), /weights file ".*pipe\.pth" is a FIFO \(named pipe\), not a file/],
    ['a directory', 'dir.safetensors', (p: string) => mkdirSync(p), /weights file ".*dir\.safetensors" is a directory, not a file/],
    ['a .bin that is /dev/zero (it never ends)', 'zero.json', (p: string) => {
      writeFileSync(p, toRawWeights(randomNetwork('squeezenet', 1, 'conv1')).manifest);
      symlinkSync('/dev/zero', p.replace(/\.json$/, '.bin'));
    }, /weights data ".*zero\.bin" is a device, not a file/],
  ])('%s', async (_what, name, make, message) => {
    const path = join(dir, name);
    make(path);
    const t0 = Date.now();
    await expect(loadWeightsFile(path, undefined, 'squeezenet')).rejects.toThrow(message);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('raw manifests are checked field by field', () => {
  const good = toRawWeights(randomNetwork('squeezenet', 1, 'fire2'));
  const bin = good.bin.buffer.slice(good.bin.byteOffset, good.bin.byteOffset + good.bin.byteLength) as ArrayBuffer;
  const edit = (f: (m: { input: Record<string, unknown>; tensors: Record<string, unknown>[] }) => void) => {
    const m = JSON.parse(good.manifest);
    f(m);
    return JSON.stringify(m);
  };
  it('reads the unchanged manifest (the baseline)', () => {
    expect(parseRawWeights(good.manifest, bin, 'w', 'squeezenet').layers.size).toBeGreaterThan(1);
  });
  it.each([
    ['a tensor listed twice', (m: Parameters<Parameters<typeof edit>[0]>[0]) => m.tensors.push({ ...m.tensors[0] }), /tensor "conv1\.weight" is listed twice/],
    ['two tensors sharing bytes', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.tensors[1].offset = 4), /tensors "conv1\.weight" and "conv1\.bias" share bytes/],
    ['a mean given as strings', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.input.mean = ['0.4', '0.4', '0.4']), /manifest "input" must give .* as numbers/],
    ['a null std', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.input.std = null), /manifest "input" must give/],
    ['an absurd range', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.input.range = 1e300), /manifest "input" must give/],
    ['a shape of strings', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.tensors[0].shape = ['64', '3', '3', '3']), /tensor "conv1\.weight" has shape \["64","3","3","3"\]; expected a list of integers/],
    ['a fractional offset', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.tensors[0].offset = 1.5), /tensor "conv1\.weight" has a bad offset 1\.5/],
    ['an entry that is not an object', (m: Parameters<Parameters<typeof edit>[0]>[0]) => (m.tensors[0] = null as unknown as Record<string, unknown>), /every entry of "tensors" must be an object with a "name"/],
  ])('refuses %s, naming it', (_what, f, message) => {
    expect(() => parseRawWeights(edit(f), bin, 'w', 'squeezenet')).toThrow(message);
  });
});

describe('zip archives', () => {
  /** A central directory listing `names` (no data needed: the directory is checked first). */
  function zipWith(names: string[]): Uint8Array {
    const enc = new TextEncoder();
    const parts: number[] = [];
    const u16 = (n: number) => [n & 255, n >> 8];
    const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
    for (const n of names) {
      const b = enc.encode(n);
      parts.push(...u32(0x02014b50), ...u16(20), ...u16(20), 0, 0, 0, 0, 0, 0, 0, 0, ...u32(0), ...u32(4), ...u32(4), ...u16(b.length), ...u16(0), ...u16(0), 0, 0, 0, 0, ...u32(0), ...u32(0), ...b);
    }
    const cdSize = parts.length;
    parts.push(...u32(0x06054b50), 0, 0, 0, 0, ...u16(names.length), ...u16(names.length), ...u32(cdSize), ...u32(0), 0, 0);
    return new Uint8Array(parts);
  }
  it('lists an archive whose names are unique', () => {
    expect(readZipDirectory(zipWith(['a/data.pkl', 'a/data/0']), 'ok.pth').map((e) => e.name)).toEqual(['a/data.pkl', 'a/data/0']);
  });
  it('refuses a name that appears twice (PyTorch would read the first, a plain zip reader the last)', () => {
    expect(() => readZipDirectory(zipWith(['a/data.pkl', 'a/data/0', 'a/data/0']), 'twice.pth')).toThrow(/^twice\.pth: the zip holds "a\/data\/0" twice/);
  });
});

describe('safetensors: detected by its own structure, header bounded', () => {
  /** SqueezeNet's conv1 as safetensors (torchvision names), the JSON header padded to `headerLength` bytes. */
  function conv1Safetensors(headerLength: number): Uint8Array {
    const w = randomNetwork('squeezenet', 3, 'conv1').layers.get('conv1')!;
    const header = { 'features.0.weight': { dtype: 'F32', shape: [64, 3, 3, 3], data_offsets: [0, w.weight.length * 4] }, 'features.0.bias': { dtype: 'F32', shape: [64], data_offsets: [w.weight.length * 4, (w.weight.length + 64) * 4] } };
    const json = JSON.stringify(header);
    const text = new TextEncoder().encode(json.padEnd(headerLength, ' '));
    const out = new Uint8Array(8 + text.length + (w.weight.length + 64) * 4);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    out.set(new Uint8Array(w.weight.buffer), 8 + text.length);
    out.set(new Uint8Array(w.bias.buffer), 8 + text.length + w.weight.length * 4);
    return out;
  }
  it.each([
    ['0x80, the pickle magic', 0x180],
    ['"PK", the zip magic', 0x4b50],
  ])('reads a valid file whose header length starts with %s', async (_what, n) => {
    const bytes = conv1Safetensors(n);
    expect(bytes[0]).toBe(n & 255);
    const path = join(dir, `magic-${n}.safetensors`);
    writeFileSync(path, bytes);
    const src = new FileSource(path);
    try {
      const w = await loadPretrained(src, 'conv1', undefined, 'squeezenet');
      expect(w.layers.get('conv1')!.weight).toEqual(randomNetwork('squeezenet', 3, 'conv1').layers.get('conv1')!.weight);
    } finally {
      src.close();
    }
  });
  it('refuses a header nested deeper than a header needs, before parsing it', () => {
    const json = new TextEncoder().encode(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(() => parseSafetensorsHeader(json, 'deep.safetensors', null)).toThrow(/^deep\.safetensors: safetensors header nests deeper than 8 levels/);
  });
  it('refuses a header larger than a weights file needs', () => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, 100_000_000n, true);
    expect(() => safetensorsHeaderLength(head, 'huge.safetensors', null)).toThrow(/^huge\.safetensors: safetensors header of 100000000 bytes is larger than the 16777216/);
  });
});
