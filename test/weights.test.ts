/**
 * Weight files: our raw format (round trip and every kind of damage) and the torchvision .pth
 * converter on real files written by torch.save (Debian's torch, random init). CPU only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertPth } from '../src/io/torch_names.js';
import { readLegacyHeader } from '../src/io/torch_pth.js';
import { readZipDirectory } from '../src/io/zip.js';
import { loadPretrained } from '../src/io/pretrained.js';
import { BlobSource } from '../src/io/byte_source.js';
import { CAFFE_CONVENTION } from '../src/kernels/image/image.js';
import { convSpec, VGG19_CONVS } from '../src/model/vgg19_spec.js';
import { randomVgg19, WeightsError } from '../src/model/weights.js';
import { parseRawWeights, toRawWeights } from '../src/io/raw_weights.js';

const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

describe('raw format', () => {
  const w = randomVgg19(7, 'conv2_1');
  const raw = toRawWeights(w);

  it('round-trips exactly', () => {
    const back = parseRawWeights(raw.manifest, ab(raw.bin), 'w');
    expect([...back.layers.keys()]).toEqual(['conv1_1', 'conv1_2', 'conv2_1']);
    for (const [k, v] of w.layers) {
      expect(back.layers.get(k)!.weight).toEqual(v.weight);
      expect(back.layers.get(k)!.bias).toEqual(v.bias);
    }
    expect(back.input).toEqual(w.input);
  });

  it('the random VGG19 is deterministic and He-scaled', () => {
    const a = randomVgg19(7, 'conv1_2'), b = randomVgg19(7, 'conv1_2'), c = randomVgg19(8, 'conv1_2');
    expect(a.layers.get('conv1_2')!.weight).toEqual(b.layers.get('conv1_2')!.weight);
    expect(a.layers.get('conv1_2')!.weight).not.toEqual(c.layers.get('conv1_2')!.weight);
    const x = a.layers.get('conv1_2')!.weight;
    const std = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (64 * 9)), 2);
  });

  it('rejects a truncated .bin, naming the tensor', () => {
    expect(() => parseRawWeights(raw.manifest, ab(raw.bin.subarray(0, raw.bin.length - 10)), 'w')).toThrow(/w\.bin: truncated: tensor "conv2_1\.bias"/);
  });
  it('rejects NaN/Inf values, naming the tensor', () => {
    const bin = raw.bin.slice();
    const m = JSON.parse(raw.manifest);
    const t = m.tensors.find((x: { name: string }) => x.name === 'conv1_2.weight');
    new DataView(bin.buffer).setFloat32(t.offset + 40, NaN, true);
    expect(() => parseRawWeights(raw.manifest, ab(bin), 'w')).toThrow(/tensor "conv1_2\.weight" holds NaN at element 10/);
    new DataView(bin.buffer).setFloat32(t.offset + 40, Infinity, true);
    expect(() => parseRawWeights(raw.manifest, ab(bin), 'w')).toThrow(/holds Infinity/);
  });
  it('rejects wrong shapes, unknown tensors, gaps, wrong formats', () => {
    const m = JSON.parse(raw.manifest);
    const edit = (f: (x: typeof m) => void) => {
      const c = JSON.parse(raw.manifest);
      f(c);
      return () => parseRawWeights(JSON.stringify(c), ab(raw.bin), 'w');
    };
    expect(edit((c) => (c.tensors[0].shape = [64, 3, 5, 5]))).toThrow(/"conv1_1\.weight" has shape \[64,3,5,5\] but VGG19 needs \[64,3,3,3\]/);
    expect(edit((c) => (c.tensors[2].name = 'fc6.weight'))).toThrow(/unknown tensor "fc6\.weight"/);
    expect(edit((c) => c.tensors.splice(2, 2))).toThrow(/tensors after a missing layer: conv2_1/);
    expect(edit((c) => c.tensors.splice(3, 1))).toThrow(/layer conv1_2 is missing its bias/);
    expect(edit((c) => (c.format = 'safetensors'))).toThrow(/not an nst-raw-weights manifest/);
    expect(edit((c) => (c.input.std = [0, 1, 1]))).toThrow(/std\[3\] in \(0, range\]/);
    expect(() => parseRawWeights('{oops', ab(raw.bin), 'w')).toThrow(/w\.json: not valid JSON/);
    expect(m.tensors.length).toBe(6);
  });
});

describe('torchvision .pth converter (files written by torch.save)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nst-pth-'));
  let stats: Record<string, Record<string, [number, number, number]>>;
  const file = (k: string) => join(dir, `${k}.pth`);
  beforeAll(() => {
    const kinds = ['vgg19-features', 'vgg19-first3', 'first3-noncontig', 'first3-half', 'first3-legacy', 'gatys-legacy'];
    const r = spawnSync('/usr/bin/python3', ['tools/make_torch_state_dict.py', '0', ...kinds.map((k) => `${file(k)}:${k}`)], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`make_torch_state_dict.py failed: ${r.stderr}`);
    stats = JSON.parse(r.stdout);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (kind: string, tol: number) => {
    const w = convertPth(new Uint8Array(readFileSync(file(kind))), kind, 'vgg19');
    for (const [key, [sum, first, last]] of Object.entries(stats[file(kind)])) {
      // torchvision's "features.N.weight" or Gatys' "conv1_1.weight"
      const spec = key.startsWith('features.') ? VGG19_CONVS.find((c) => c.torchIndex === Number(key.split('.')[1]))! : convSpec(key.split('.')[0]);
      const a = key.endsWith('weight') ? w.layers.get(spec.name)!.weight : w.layers.get(spec.name)!.bias;
      expect(a[0]).toBeCloseTo(first, 6);
      expect(a[a.length - 1]).toBeCloseTo(last, 6);
      expect(Math.abs(a.reduce((s, v) => s + v, 0) - sum)).toBeLessThan(tol * Math.max(1, a.length / 1000));
    }
    return w;
  };

  it('converts a random-init vgg19 features state dict (all 16 convs)', () => {
    const w = check('vgg19-features', 1e-3);
    expect([...w.layers.keys()]).toEqual(VGG19_CONVS.map((c) => c.name));
    expect(w.input.channelOrder).toBe('RGB');
  });
  it('converts a partial state dict, non-contiguous tensors, and float16', () => {
    expect([...check('vgg19-first3', 1e-3).layers.keys()]).toEqual(['conv1_1', 'conv1_2', 'conv2_1']);
    check('first3-noncontig', 1e-3);
    check('first3-half', 1e-2);
  });
  it('reads the legacy (pre-1.6) torch.save format, and Gatys\' vgg_conv.pth naming with the Caffe convention', () => {
    expect([...check('first3-legacy', 1e-3).layers.keys()]).toEqual(['conv1_1', 'conv1_2', 'conv2_1']);
    const g = check('gatys-legacy', 1e-3);
    expect([...g.layers.keys()]).toEqual(VGG19_CONVS.map((c) => c.name));
    expect(g.input).toEqual(CAFFE_CONVENTION);
    // the same random init under both namings gives the same weights
    const tv = convertPth(new Uint8Array(readFileSync(file('vgg19-features'))), 'tv', 'vgg19');
    expect(g.layers.get('conv4_2')!.weight).toEqual(tv.layers.get('conv4_2')!.weight);
    const bytes = new Uint8Array(readFileSync(file('gatys-legacy')));
    expect(() => convertPth(bytes.subarray(0, bytes.length - 1000), 'cut.pth', 'vgg19')).toThrow(/cut\.pth: truncated: storage \S+ needs bytes up to \d+, the file has \d+/);
    expect(() => convertPth(bytes.subarray(0, 300), 'cut.pth', 'vgg19')).toThrow(/cut\.pth: truncated pickle data/);
  });
  it('refuses a legacy file whose unused storage has a wrong element count, as PyTorch does, even when reading one layer of it', async () => {
    const bytes = new Uint8Array(readFileSync(file('gatys-legacy')));
    const spans = [...readLegacyHeader(bytes, 'f').spans.values()].sort((a, b) => b.start - a.start);
    const bad = bytes.slice();
    new DataView(bad.buffer).setBigInt64(spans[0].start, BigInt(spans[0].storage.numel + 1), true); // the last storage: conv5_4's
    const refusal = /^bad\.pth: storage \S+ holds \d+ elements, the pickle says \d+ \(corrupt file\)/;
    expect(() => convertPth(bad, 'bad.pth', 'vgg19')).toThrow(refusal);
    await expect(loadPretrained(new BlobSource(new Blob([bad]), 'bad.pth'), 'conv1_1', undefined, 'vgg19')).rejects.toThrow(refusal);
    expect((await loadPretrained(new BlobSource(new Blob([bytes]), 'good.pth'), 'conv1_1', undefined, 'vgg19')).layers.size).toBe(1);
  });
  it('round-trips through our raw format', () => {
    const w = convertPth(new Uint8Array(readFileSync(file('vgg19-first3'))), 'x', 'vgg19');
    const raw = toRawWeights(w);
    const back = parseRawWeights(raw.manifest, ab(raw.bin), 'x');
    expect(back.layers.get('conv2_1')!.weight).toEqual(w.layers.get('conv2_1')!.weight);
  });
  it('rejects truncated files and non-torch files with clear errors', () => {
    const bytes = new Uint8Array(readFileSync(file('vgg19-first3')));
    expect(() => convertPth(bytes.subarray(0, bytes.length - 5000), 'cut.pth', 'vgg19')).toThrow(WeightsError);
    expect(() => convertPth(bytes.subarray(0, bytes.length - 5000), 'cut.pth', 'vgg19')).toThrow(/cut\.pth: (not a zip|truncated|corrupt)/);
    expect(() => convertPth(new TextEncoder().encode('hello world, not a model'), 'x.pth', 'vgg19')).toThrow(/x\.pth: not a zip archive/);
    // central directory intact but a storage cut short: name the tensor
    const entries = readZipDirectory(bytes, 'f');
    const last = entries.filter((e) => e.name.includes('/data/')).sort((a, b) => b.localOffset - a.localOffset)[0];
    const cut = bytes.slice();
    // corrupt that storage's local header so its data can't be located
    cut[last.localOffset] = 0;
    expect(() => convertPth(cut, 'bad.pth', 'vgg19')).toThrow(/bad\.pth: corrupt zip local header for .*\/data\//);
  });
  it('names the tensor whose shape is wrong', () => {
    const r = spawnSync(
      '/usr/bin/python3',
      ['-c', `import torch; torch.save({'features.0.weight': torch.zeros(64,3,5,5), 'features.0.bias': torch.zeros(64)}, '${join(dir, 'bad.pth')}')`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(() => convertPth(new Uint8Array(readFileSync(join(dir, 'bad.pth'))), 'bad.pth', 'vgg19')).toThrow(
      /tensor "features\.0\.weight" \(conv1_1\.weight\) has shape \[64,3,5,5\] but VGG19 needs \[64,3,3,3\]/,
    );
  });
});
