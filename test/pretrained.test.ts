/**
 * Pretrained weights from the real files' layouts (Node side, no browser): the safetensors reader,
 * ranged reading of only the needed tensors from legacy .pth, zip .pth and safetensors — from disk
 * and from local servers that behave like the real hosts — and the cache.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource, BlobSource } from '../src/io/byte_source.js';
import { loadPretrained, mergePieces } from '../src/io/pretrained.js';
import { decodeFloats, floatToHalf, halfToFloat, parseSafetensorsHeader, safetensorsHeaderLength } from '../src/io/safetensors.js';
import { obtainPretrained } from '../src/io/weights_cache.js';
import { VGG19_CONVS } from '../src/model/vgg19_spec.js';
import type { NetworkWeights } from '../src/model/weights.js';
import { FileSource } from '../tools/lib/file_source.js';
import { DirStore } from '../tools/lib/weights_store.js';
import { FIXTURE_DIR, FIXTURES, makePretrainedFixtures } from './harness/pretrained_fixtures.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';

const tmp = mkdtempSync(join(tmpdir(), 'nst-pretrained-'));
let expected: Record<string, [number, number, number]>;
let servers: WeightsServers;

beforeAll(async () => {
  expected = makePretrainedFixtures();
  servers = await startWeightsServers(FIXTURE_DIR);
}, 600_000);
afterAll(async () => {
  await servers?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const fileSize = (name: string) => statSync(join(FIXTURE_DIR, name)).size;

/** The loaded layers hold exactly the fixture's values (sum, first and last element of each tensor). */
function expectFixtureValues(w: NetworkWeights, upTo: string) {
  const names = VGG19_CONVS.slice(0, VGG19_CONVS.findIndex((c) => c.name === upTo) + 1);
  expect([...w.layers.keys()]).toEqual(names.map((c) => c.name));
  for (const c of names) {
    const p = w.layers.get(c.name)!;
    for (const [suffix, a] of [['weight', p.weight], ['bias', p.bias]] as const) {
      const [sum, first, last] = expected[`features.${c.torchIndex}.${suffix}`];
      expect(a[0]).toBe(Math.fround(first));
      expect(a[a.length - 1]).toBe(Math.fround(last));
      let s = 0;
      for (const v of a) s += v;
      expect(Math.abs(s - sum)).toBeLessThan(1e-6 * a.length);
    }
  }
}

function safetensors(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors reader', () => {
  const parse = (bytes: Uint8Array) => {
    const n = safetensorsHeaderLength(bytes, 't.safetensors', bytes.length);
    return parseSafetensorsHeader(bytes.subarray(8, 8 + n), 't.safetensors', bytes.length);
  };
  it('lists names, dtypes, shapes and absolute byte ranges', () => {
    const b = safetensors({ __metadata__: { format: 'pt' }, b: { dtype: 'F16', shape: [2], data_offsets: [8, 12] }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 12);
    const base = b.length - 12;
    expect(parse(b)).toEqual([
      { name: 'a', dtype: 'F32', shape: [2], start: base, end: base + 8 },
      { name: 'b', dtype: 'F16', shape: [2], start: base + 8, end: base + 12 },
    ]);
  });
  it.each([
    ['a truncated header', (() => { const b = safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4); return b.subarray(0, 20); })(), /truncated header/],
    ['offsets past the end', safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /truncated: tensor "a" ends at byte/],
    ['overlapping tensors', safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /tensors "a" and "b" overlap/],
    ['an unknown dtype', safetensors({ a: { dtype: 'F13', shape: [1], data_offsets: [0, 4] } }, 4), /tensor "a" has unknown dtype "F13"/],
    ['a size that does not match the shape', safetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /tensor "a": 8 bytes for shape \[3\] of F32 \(needs 12\)/],
    ['a header length that cannot be', new Uint8Array([255, 255, 255, 255, 255, 255, 255, 0, 123]), /safetensors header of \d+ bytes is larger than the 16777216 a weights file needs/],
  ])('rejects %s, naming the tensor', (_what, bytes, message) => {
    expect(() => parse(bytes)).toThrow(message);
  });
  it('decodes F32, F16 and BF16 and rounds float32 to half to nearest even', () => {
    const f32 = new Uint8Array(new Float32Array([1.5, -2.25]).buffer);
    expect([...decodeFloats(f32, 'F32', 'f', 'x')]).toEqual([1.5, -2.25]);
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]).buffer);
    expect([...decodeFloats(f16, 'F16', 'f', 'x')]).toEqual([1, -2, 2 ** -24, Infinity]);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer);
    expect([...decodeFloats(bf16, 'BF16', 'f', 'x')]).toEqual([1, -3]);
    expect(() => decodeFloats(f32, 'I64', 'f', 'x')).toThrow(/tensor "x" has dtype I64/);
    // every half value survives a round trip; halfway cases go to the even neighbour
    for (let h = 0; h < 0x7c00; h += 7) expect(floatToHalf(halfToFloat(h))).toBe(h);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(70000)).toBe(0x7c00);
  });
});

describe('only the needed tensors, from disk', () => {
  it.each(Object.entries(FIXTURES))('%s: conv1_1..conv5_1 equal the source bit for bit, reading < 60%% of the file', async (_kind, name) => {
    const src = new FileSource(join(FIXTURE_DIR, name));
    try {
      const w = await loadPretrained(src, 'conv5_1');
      expectFixtureValues(w, 'conv5_1');
      expect(w.input.channelOrder).toBe('RGB');
      expect(src.bytesRead / src.size).toBeLessThan(0.6);
      // a run whose layers stop at conv3_1 reads less still
      const shallow = new FileSource(join(FIXTURE_DIR, name));
      expectFixtureValues(await loadPretrained(shallow, 'conv3_1'), 'conv3_1');
      expect(shallow.bytesRead).toBeLessThan(src.bytesRead / 4);
      shallow.close();
    } finally {
      src.close();
    }
  });
  it('merges neighbouring tensors into few reads', async () => {
    const src = new FileSource(join(FIXTURE_DIR, FIXTURES.safetensors));
    const { planPretrained } = await import('../src/io/pretrained.js');
    const r = await planPretrained(src, 'conv5_1');
    if (!('plan' in r)) throw new Error('expected a plan');
    // names sort as features.0 … features.28, (features.30–34 skipped), features.5, features.7
    expect(mergePieces(r.plan.pieces).length).toBe(2);
    src.close();
  });
  it('reads a picked File the same way (Blob slices)', async () => {
    const { openAsBlob } = await import('node:fs');
    const blob = await openAsBlob(join(FIXTURE_DIR, FIXTURES.legacy));
    expectFixtureValues(await loadPretrained(new BlobSource(blob, 'vgg19.pth'), 'conv2_1'), 'conv2_1');
  });
});

describe('only the needed tensors, over HTTP', () => {
  it.each(Object.entries(FIXTURES))('%s through a hub-style redirect to another origin: a handful of ranged requests, < 60%% of the bytes', async (_kind, name) => {
    servers.reset();
    const src = new HttpSource(`${servers.origin}/resolve/${name}`);
    const w = await loadPretrained(src, 'conv5_1');
    expectFixtureValues(w, 'conv5_1');
    const s = servers.stats(name);
    expect(s.bytes / fileSize(name)).toBeLessThan(0.6);
    expect(s.ranges.every((r) => r.startsWith('bytes='))).toBe(true);
    // the redirects count as requests too: at most 2 × 8
    expect(s.requests).toBeLessThanOrEqual(16);
    expect(src.stats.received).toBe(s.bytes);
  });
  it.each(Object.entries(FIXTURES))('%s from a server that ignores Range: streamed once, only the needed bytes kept', async (_kind, name) => {
    servers.reset();
    const src = new HttpSource(`${servers.origin}/norange/${name}`);
    const w = await loadPretrained(src, 'conv2_1');
    await src.close();
    expectFixtureValues(w, 'conv2_1');
    expect(src.sequentialOnly).toBe(true);
    expect(servers.stats(name).requests).toBe(1);
  });
  it.each([
    ['a missing file', 'files/nope.pth', /not found \(HTTP 404\)/],
    ['an HTML error page', 'html/model.safetensors', /sent an HTML page/],
    ['a redirect loop', 'loop/model.safetensors', /could not fetch .*redirect/],
    ['a connection cut half-way', `drop/${FIXTURES.safetensors}`, /asked for \d+ bytes at \d+, got \d+|broke off/],
  ])('reports %s clearly', async (_what, path, message) => {
    await expect(loadPretrained(new HttpSource(`${servers.origin}/${path}`), 'conv5_1')).rejects.toThrow(message);
  });
  it('rejects files that are not VGG19 weights, naming what is wrong', async () => {
    const dir = join(tmp, 'bad');
    (await import('node:fs')).mkdirSync(dir, { recursive: true });
    // a zip that is not a torch file
    const zip = new Uint8Array(22);
    new DataView(zip.buffer).setUint32(0, 0x06054b50, true);
    writeFileSync(join(dir, 'empty.pth'), new Uint8Array([0x50, 0x4b, 3, 4, ...new Uint8Array(26), ...zip]));
    // a safetensors file whose conv1_2 lacks its bias
    const w = (shape: number[]) => shape.reduce((a, b) => a * b, 1) * 4;
    const header: Record<string, unknown> = {};
    let o = 0;
    for (const [k, shape] of [['features.0.weight', [64, 3, 3, 3]], ['features.0.bias', [64]], ['features.2.weight', [64, 64, 3, 3]]] as const) {
      header[k] = { dtype: 'F32', shape, data_offsets: [o, o + w([...shape])] };
      o += w([...shape]);
    }
    writeFileSync(join(dir, 'missing.safetensors'), safetensors(header, o));
    const open = (n: string) => new FileSource(join(dir, n));
    await expect(loadPretrained(open('empty.pth'), 'conv5_1')).rejects.toThrow(/without data\.pkl: not a torch\.save file/);
    await expect(loadPretrained(open('missing.safetensors'), 'conv5_1')).rejects.toThrow(/layer conv1_2 is missing its bias/);
  });
});

describe('the cache', () => {
  const url = () => `${servers.origin}/files/${FIXTURES.legacy}`;
  const obtain = (store: DirStore, upTo: string, extra: Partial<Parameters<typeof obtainPretrained>[0]> = {}) =>
    obtainPretrained({ store, source: 'torchvision', url: url(), upTo, open: (u) => new HttpSource(u), ...extra });

  it('downloads once; a second run makes no request; deeper layers fetch only what is missing', async () => {
    const store = new DirStore(join(tmp, 'cache1'));
    servers.reset();
    const first = await obtain(store, 'conv3_1');
    expect(first.fromCache).toBe(false);
    expectFixtureValues(first.weights, 'conv3_1');
    const shallowBytes = servers.stats(FIXTURES.legacy).bytes;
    servers.reset();
    const again = await obtain(store, 'conv2_2');
    expect(again.fromCache).toBe(true);
    expect(servers.totalRequests()).toBe(0);
    const deeper = await obtain(store, 'conv5_1');
    expect(deeper.fromCache).toBe(false);
    expectFixtureValues(deeper.weights, 'conv5_1');
    // conv3_2..conv5_1 only (~47 MB of the ~52), not conv1_1..conv3_1 again
    const conv31 = VGG19_CONVS.slice(0, 5).reduce((a, c) => a + 4 * c.outChannels * (c.inChannels * 9 + 1), 0);
    const all = VGG19_CONVS.slice(0, 13).reduce((a, c) => a + 4 * c.outChannels * (c.inChannels * 9 + 1), 0);
    expect(servers.stats(FIXTURES.legacy).bytes).toBeLessThan(all - conv31 + 4 << 20);
    expect(shallowBytes).toBeLessThan(conv31 + (4 << 20));
    servers.reset();
    expectFixtureValues((await obtain(store, 'conv5_1')).weights, 'conv5_1');
    expect(servers.totalRequests()).toBe(0);
  });

  it('a download that breaks off leaves no entry and the old one untouched', async () => {
    const store = new DirStore(join(tmp, 'cache2'));
    await obtain(store, 'conv1_2');
    const before = readdirSync(store.location).sort();
    await expect(obtain(store, 'conv5_1', { url: `${servers.origin}/drop/${FIXTURES.legacy}` })).rejects.toThrow(/asked for|broke off/);
    expect(readdirSync(store.location).sort()).toEqual(before);
    const kept = await obtain(store, 'conv1_2');
    expect(kept.fromCache).toBe(true);
    expectFixtureValues(kept.weights, 'conv1_2');
  });

  it('stores float16 on request: half the bytes, values within half-precision rounding', async () => {
    const store = new DirStore(join(tmp, 'cache3'));
    const f32 = await obtain(new DirStore(join(tmp, 'cache3-f32')), 'conv2_1');
    const f16 = await obtain(store, 'conv2_1', { float16: true });
    expect(f16.raw.bin.byteLength * 2).toBe(f32.raw.bin.byteLength);
    for (const [name, p] of f32.weights.layers) {
      const q = f16.weights.layers.get(name)!;
      for (let i = 0; i < p.weight.length; i++) expect(Math.abs(q.weight[i] - p.weight[i])).toBeLessThanOrEqual(Math.abs(p.weight[i]) * 2 ** -11 + 2 ** -25);
    }
    expect(f16.weights.source).toMatch(/stored as float16/);
  });

  it('a damaged entry is removed and downloaded again', async () => {
    const store = new DirStore(join(tmp, 'cache4'));
    const first = await obtain(store, 'conv1_1');
    writeFileSync(join(store.location, `${first.id}.bin`), new Uint8Array(100));
    const logs: string[] = [];
    const again = await obtain(store, 'conv1_1', { log: (l) => logs.push(l) });
    expect(logs.join('\n')).toMatch(/are damaged \(.*truncated.*\); removed them/);
    expect(again.fromCache).toBe(false);
    expectFixtureValues(again.weights, 'conv1_1');
  });
});
