/**
 * Legacy torch.save files of PyTorch 0.1–0.3 under Python 2, as Gatys et al.'s 2017 vgg_conv.pth:
 * an OrderedDict built by REDUCE from a list of [name, tensor] lists (or a tuple of tuples),
 * torch._utils._rebuild_tensor (not _v2), float64 storages and the other legacy storage types.
 * The files are written opcode by opcode by plain Python (test/harness/legacy_2017.py); Debian's
 * torch loads each, and every tensor we read equals its .float() bit for bit (float64 → float32
 * rounding included). A file cut at any byte is refused as "truncated", naming it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobSource } from '../src/io/byte_source.js';
import { loadPretrained } from '../src/io/pretrained.js';
import { convertPth } from '../src/io/torch_names.js';
import { openTorchFile } from '../src/io/torch_pth.js';
import { CAFFE_CONVENTION } from '../src/kernels/image/image.js';
import { WeightsError } from '../src/model/weights.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'nst-legacy-2017-'));
const FILES = ['vgg_conv_2017.pth', 'legacy_types_2017.pth'] as const;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  const r = spawnSync(PYTHON, ['test/harness/legacy_2017.py', 'write', dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
});
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

function refusal(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

describe.skipIf(!hasTorch)(`legacy files of 2017 against PyTorch${hasTorch ? '' : ' (skipped: no Debian torch; bash tools/setup.sh installs it)'}`, () => {
  it('torch loads each (weights_only too), and every float tensor we read is its .float() bit for bit', () => {
    const out = spawnSync(PYTHON, ['test/harness/legacy_2017.py', 'load', ...FILES.map((f) => join(dir, f))], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const verdicts = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; type: string; weights_only: boolean; tensors: Record<string, [number[], string]> });
    let compared = 0;
    for (const [i, name] of FILES.entries()) {
      const v = verdicts[i];
      expect(v.ok && v.weights_only && v.type === 'OrderedDict', JSON.stringify(v).slice(0, 300)).toBe(true);
      const f = openTorchFile(bytesOf(name), name);
      const sd = f.stateDict();
      expect([...sd.keys()]).toEqual(Object.keys(v.tensors));
      for (const [key, t] of sd) {
        expect(t.shape, key).toEqual(v.tensors[key][0]);
        if (t.storage.dtype.startsWith('int')) {
          // integer tensors are held, not decoded as weights
          expect(refusal(() => f.float32(key, t)).message).toBe(`${name}: tensor "${key}" has dtype ${t.storage.dtype}; expected float32, float64, float16 or bfloat16`);
          continue;
        }
        expect(hex(f.float32(key, t)), `${name} ${key}`).toBe(v.tensors[key][1]);
        compared++;
      }
    }
    expect(compared).toBe(8);
  });
  it('loadPretrained reads conv1_1 of the vgg_conv.pth-like file as torch does, in Caffe convention', async () => {
    const out = spawnSync(PYTHON, ['test/harness/legacy_2017.py', 'load', join(dir, FILES[0])], { encoding: 'utf8' });
    const v = JSON.parse(out.stdout) as { tensors: Record<string, [number[], string]> };
    const w = await loadPretrained(new BlobSource(new Blob([bytesOf(FILES[0]) as BlobPart]), FILES[0]), 'conv1_1');
    expect(w.format).toBe('torch-legacy');
    expect(w.input).toEqual(CAFFE_CONVENTION);
    expect(hex(w.layers.get('conv1_1')!.weight)).toBe(v.tensors['conv1_1.weight'][1]);
    expect(hex(w.layers.get('conv1_1')!.bias)).toBe(v.tensors['conv1_1.bias'][1]);
  });
});

describe('legacy files of 2017 without PyTorch', () => {
  it('float64 is rounded to the nearest float32 (ties to even; overflow to ±Infinity; float32 subnormals kept)', () => {
    const f = openTorchFile(bytesOf(FILES[1]), FILES[1]);
    const values = [...f.float32('extreme', f.stateDict().get('extreme')!)];
    expect(values.slice(0, 4)).toEqual([Infinity, -Infinity, Infinity, 3.4028234663852886e38]);
    expect(values.slice(4, 8).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual([0, '-0', 0, '-0']);
    expect(values.slice(8)).toEqual([Math.fround(1e-40), 1.401298464324817e-45, 0, Math.fround(2 / 3)]);
  });
  it('reads an empty tensor, a 0-dim one and two sharing a storage', () => {
    const f = openTorchFile(bytesOf(FILES[1]), FILES[1]);
    const sd = f.stateDict();
    expect(f.float32('empty', sd.get('empty')!)).toEqual(new Float32Array(0));
    expect(sd.get('steps')!.shape).toEqual([]);
    expect([...f.float32('shared.b', sd.get('shared.b')!)]).toEqual([4, 7, 5, 8, 6, 9]);
  });
  it.each(FILES)('%s cut at any byte is refused as truncated, naming it (whole-file and ranged readers)', async (name) => {
    const bytes = bytesOf(name);
    const wrong: string[] = [];
    for (let n = 1; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      const e = refusal(() => convertPth(cut, 'cut.pth', 'vgg19'));
      if (!(e instanceof WeightsError) || !/^cut\.pth: truncated[^\n]*$/.test(e.message)) wrong.push(`${n} (convertPth): ${e.message}`);
      // the ranged reader over a short source: every 7th length, and every one inside the pickles
      if (n > 1200 && n % 7 !== 0) continue;
      try {
        await loadPretrained(new BlobSource(new Blob([cut as BlobPart]), 'cut.pth'), 'conv1_1');
        wrong.push(`${n} (loadPretrained): accepted`);
      } catch (e) {
        if (!(e instanceof WeightsError) || !/^cut\.pth: truncated[^\n]*$/.test((e as Error).message)) wrong.push(`${n} (loadPretrained): ${(e as Error).message}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 60_000);
});
