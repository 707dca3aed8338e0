/**
 * SqueezeNet 1.1 weights (torchvision's squeezenet1_1): every conv tensor read from real torch.save
 * files (legacy and zip), safetensors (torchvision's names and ours) and a DataParallel file equals
 * torch's values exactly, the classifier ignored; ranged and streamed reads over HTTP; our raw
 * format; the cache (squeezenet-torchvision) and `npm run weights -- download --network
 * squeezenet` against a local server standing in for download.pytorch.org; `--weights auto`
 * finding it; and the errors: the other network's file, "hf", truncated files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobSource, HttpSource } from '../src/io/byte_source.js';
import { loadPretrained, mergePieces, planPretrained } from '../src/io/pretrained.js';
import { parseRawWeights, toRawWeights } from '../src/io/raw_weights.js';
import { convertPth, detectNetwork, WrongNetworkError } from '../src/io/torch_names.js';
import { openTorchFile } from '../src/io/torch_pth.js';
import { cacheId, findCached, obtainPretrained, sourceUrl } from '../src/io/weights_cache.js';
import { TORCHVISION_CONVENTION } from '../src/kernels/image/image.js';
import { SQUEEZENET, paramConvsUpTo } from '../src/model/networks.js';
import { randomNetwork, randomVgg19, type NetworkWeights } from '../src/model/weights.js';
import { writeRandomWeights } from '../tools/make_random_weights.js';
import { FileSource } from '../tools/lib/file_source.js';
import { loadWeightsFile, resolveWeights } from '../tools/lib/weights_files.js';
import { DirStore } from '../tools/lib/weights_store.js';
import { makeSqueezenetFixtures, SQUEEZENET_FIXTURE_DIR as DIR, SQUEEZENET_FIXTURES as F, VGG19_SMALL_FIXTURE, type SqueezenetExpected } from './harness/squeezenet_fixtures.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';

const tmp = mkdtempSync(join(tmpdir(), 'nst-squeezenet-weights-'));
let expected: SqueezenetExpected;
let servers: WeightsServers;

beforeAll(async () => {
  expected = makeSqueezenetFixtures();
  servers = await startWeightsServers(DIR);
}, 300_000);
afterAll(async () => {
  await servers?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const path = (name: string) => join(DIR, name);
const bytesOf = (name: string) => new Uint8Array(readFileSync(path(name)));
const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const ALL = SQUEEZENET.convs.map((c) => c.name);
/** The conv bytes of the file: what a download of every conv (not the classifier) must stay near. */
const CONV_BYTES = SQUEEZENET.convs.reduce((a, c) => a + 4 * c.O * (c.C * c.K * c.K + 1), 0);

/** The weights hold exactly torch's values for the convs of layers up to `upTo`, and nothing else. */
function expectTorchValues(w: NetworkWeights, upTo = 'fire9') {
  const convs = paramConvsUpTo(SQUEEZENET, upTo);
  expect(w.network).toBe('squeezenet');
  expect([...w.layers.keys()]).toEqual(convs.map((c) => c.name));
  for (const c of convs) {
    const p = w.layers.get(c.name)!;
    expectSame(p.weight, expected.tensor(`${c.torchKey}.weight`), `${c.name}.weight`);
    expectSame(p.bias, expected.tensor(`${c.torchKey}.bias`), `${c.name}.bias`);
  }
}

/** Bit-for-bit equal (a loop: vitest's toEqual takes seconds on a million floats). */
function expectSame(got: Float32Array, want: Float32Array, what: string) {
  expect(got.length, `${what}: length`).toBe(want.length);
  let bad = -1;
  for (let i = 0; i < want.length && bad < 0; i++) if (!Object.is(got[i], want[i])) bad = i;
  expect(bad < 0 ? 'equal' : `${what} differs at ${bad}: ${got[bad]} vs torch's ${want[bad]}`).toBe('equal');
}

describe('SqueezeNet 1.1 weights from torch.save and safetensors files', () => {
  it('the fixtures are torchvision\'s squeezenet1_1 state dict: 25 convs, then the classifier', () => {
    expect(expected.keys.length).toBe(52);
    expect(expected.keys.slice(-2)).toEqual(['classifier.1.weight', 'classifier.1.bias']);
    for (const c of SQUEEZENET.convs) expect(expected.shape(`${c.torchKey}.weight`)).toEqual([c.O, c.C, c.K, c.K]);
  });

  it.each(Object.entries(F))('%s (%s): every conv equals torch\'s values exactly, the classifier ignored', async (_kind, name) => {
    const src = new FileSource(path(name));
    try {
      const w = await loadPretrained(src, 'fire9', undefined, 'squeezenet');
      expectTorchValues(w);
      expect(w.input).toEqual(TORCHVISION_CONVENTION);
      // every conv is read, the 2 MB classifier is not (the header and neighbours merged into a read may add a little)
      expect(src.bytesRead).toBeLessThan(CONV_BYTES + (600 << 10));
    } finally {
      src.close();
    }
  });

  it.each([F.legacy, F.zip, F.module])('convertPth reads %s whole, with the same values', (name) => {
    const w = convertPth(bytesOf(name), name, 'squeezenet');
    expectTorchValues(w);
    expect(w.source).toBe(name);
  });

  it('a run up to fire3 reads conv1..fire3 only', async () => {
    // Legacy torch.save writes storages sorted by their memory address as a string, so where
    // fire3's tensors lie differs from machine to machine: the bound follows this file's layout.
    const fire3 = new Set(paramConvsUpTo(SQUEEZENET, 'fire3').flatMap((c) => [`${c.name}.weight`, `${c.name}.bias`]));
    for (const name of [F.legacy, F.zip, F.safetensors]) {
      const planSrc = new FileSource(path(name));
      const planned = await planPretrained(planSrc, 'fire3', 'squeezenet');
      planSrc.close();
      if (!('plan' in planned)) throw new Error('a file source is planned, not scanned');
      expect(new Set(planned.plan.pieces.map((p) => p.name)), name).toEqual(fire3);
      const neededBytes = planned.plan.pieces.reduce((a, p) => a + p.end - p.start, 0);
      const mergedBytes = mergePieces(planned.plan.pieces).reduce((a, r) => a + r.end - r.start, 0);
      const src = new FileSource(path(name));
      const w = await loadPretrained(src, 'fire3', undefined, 'squeezenet');
      src.close();
      expectTorchValues(w, 'fire3');
      expect(w.layers.size).toBe(7);
      // what is read: the header, fire3's 0.1 MB of tensors and the gaps merged between them, nothing more
      expect(neededBytes).toBeLessThan(0.05 * CONV_BYTES);
      expect(src.bytesRead, name).toBeLessThanOrEqual(planned.plan.headerBytes + mergedBytes);
      // zip and safetensors keep the state dict's order: conv1..fire3 lie together at the front
      if (name !== F.legacy) expect(src.bytesRead, name).toBeLessThan(0.3 * CONV_BYTES);
    }
  });

  it('reads a picked File the same way (Blob slices)', async () => {
    for (const name of [F.legacy, F.zip]) expectTorchValues(await loadPretrained(new BlobSource(await openAsBlob(path(name)), name), 'fire9', undefined, 'squeezenet'));
  });

  it('over HTTP: ranged reads through a redirect to another origin, and streamed from a server that ignores Range (the zip scanned front to back)', async () => {
    for (const name of [F.legacy, F.zip, F.safetensors]) {
      servers.reset();
      expectTorchValues(await loadPretrained(new HttpSource(`${servers.origin}/resolve/${name}`), 'fire9', undefined, 'squeezenet'));
      expect(servers.stats(name).ranges.every((r) => r.startsWith('bytes='))).toBe(true);
      expect(servers.stats(name).bytes).toBeLessThan(statSync(path(name)).size);
    }
    for (const name of [F.legacy, F.zip]) {
      servers.reset();
      const src = new HttpSource(`${servers.origin}/norange/${name}`);
      const plan = await planPretrained(src, 'fire9', 'squeezenet');
      // the zip is scanned entry by entry as it streams; the legacy file is planned from its header
      expect('scan' in plan, name).toBe(name === F.zip);
      await src.close();
      const again = new HttpSource(`${servers.origin}/norange/${name}`);
      expectTorchValues(await loadPretrained(again, 'fire5', undefined, 'squeezenet'), 'fire5');
      await again.close();
      expect(again.sequentialOnly).toBe(true);
    }
  });

  it('round-trips through our raw format (model "squeezenet"), float32 exactly and float16 within rounding', () => {
    const w = convertPth(bytesOf(F.legacy), 'sq', 'squeezenet');
    const raw = toRawWeights(w);
    expect(JSON.parse(raw.manifest).model).toBe('squeezenet');
    expect(JSON.parse(raw.manifest).tensors.find((t: { name: string }) => t.name === 'fire2/expand3x3.weight').shape).toEqual([64, 16, 3, 3]);
    const back = parseRawWeights(raw.manifest, ab(raw.bin), 'sq');
    expectTorchValues(back);
    expect(back.input).toEqual(TORCHVISION_CONVENTION);
    expect(parseRawWeights(raw.manifest, ab(raw.bin), 'sq', 'squeezenet').network).toBe('squeezenet');
    const half = parseRawWeights(toRawWeights(w, { dtype: 'float16' }).manifest, ab(toRawWeights(w, { dtype: 'float16' }).bin), 'sq16');
    const a = w.layers.get('fire9/expand1x1')!.weight, b = half.layers.get('fire9/expand1x1')!.weight;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11 + 2 ** -25);
    // a manifest's shapes are SqueezeNet's: a wrong one is named
    const m = JSON.parse(raw.manifest);
    m.tensors.find((t: { name: string }) => t.name === 'fire4/squeeze.weight').shape = [32, 128, 3, 3];
    expect(() => parseRawWeights(JSON.stringify(m), ab(raw.bin), 'sq')).toThrow(/tensor "fire4\/squeeze\.weight" has shape \[32,128,3,3\] but SqueezeNet 1\.1 needs \[32,128,1,1\]/);
  });

  it('the seeded random SqueezeNet written by make_random_weights reads back as itself', () => {
    const out = join(tmp, 'random', 'sq.json');
    writeRandomWeights(out, 2, undefined, 'squeezenet');
    const w = parseRawWeights(readFileSync(out, 'utf8'), ab(new Uint8Array(readFileSync(out.replace(/json$/, 'bin')))), 'sq');
    expect(w.network).toBe('squeezenet');
    expect([...w.layers.keys()]).toEqual(ALL);
    expectSame(w.layers.get('fire7/expand3x3')!.weight, randomNetwork('squeezenet', 2).layers.get('fire7/expand3x3')!.weight, 'fire7/expand3x3.weight');
    writeRandomWeights(join(tmp, 'random', 'sq3.json'), 2, 'fire3', 'squeezenet');
    expect(JSON.parse(readFileSync(join(tmp, 'random', 'sq3.json'), 'utf8')).tensors.length).toBe(14);
  });
});

describe('errors', () => {
  const vggMessage = /holds VGG19 weights, not SqueezeNet 1\.1's; use --network vgg19/;
  const squeezeMessage = /squeezenet1_1\.pth: holds SqueezeNet 1\.1 weights, not VGG19's; use --network squeezenet/;

  it('a VGG19 file given for SqueezeNet, and a SqueezeNet file given for VGG19, are named as such', async () => {
    expect(() => convertPth(bytesOf(VGG19_SMALL_FIXTURE), 'vgg19-first3.pth', 'squeezenet')).toThrow(vggMessage);
    await expect(loadPretrained(new FileSource(path(VGG19_SMALL_FIXTURE)), 'fire9', undefined, 'squeezenet')).rejects.toThrow(vggMessage);
    expect(() => convertPth(bytesOf(F.legacy), 'squeezenet1_1.pth', 'vgg19')).toThrow(squeezeMessage);
    for (const name of Object.values(F)) {
      const e = await loadPretrained(new FileSource(path(name)), 'conv5_1').catch((x) => x);
      expect(e, name).toBeInstanceOf(WrongNetworkError);
      expect((e as WrongNetworkError).found).toBe('squeezenet');
      expect(String(e)).toMatch(/holds SqueezeNet 1\.1 weights, not VGG19's; use --network squeezenet/);
    }
    // by keys, whatever the format
    expect(detectNetwork(openTorchFile(bytesOf(F.zip), 'x').stateDict())).toBe('squeezenet');
    expect(detectNetwork(openTorchFile(bytesOf(VGG19_SMALL_FIXTURE), 'x').stateDict())).toBe('vgg19');
    // our raw format: the manifest says which
    const raw = toRawWeights(randomVgg19(1, 'conv1_2'));
    expect(() => parseRawWeights(raw.manifest, ab(raw.bin), 'vgg', 'squeezenet')).toThrow(/vgg\.json: holds VGG19 weights, not SqueezeNet 1\.1's; use --network vgg19/);
    const json = join(tmp, 'vgg-raw.json');
    writeFileSync(json, raw.manifest);
    writeFileSync(json.replace(/json$/, 'bin'), raw.bin);
    await expect(loadWeightsFile(json, 'fire9', 'squeezenet')).rejects.toThrow(/holds VGG19 weights, not SqueezeNet 1\.1's/);
    await expect(loadWeightsFile(path(F.zip), 'conv5_1', 'vgg19')).rejects.toThrow(/squeezenet-zip\.pth: holds SqueezeNet 1\.1 weights, not VGG19's/);
  });

  it('"hf" has no SqueezeNet 1.1 file: asking for it says so', async () => {
    expect(() => sourceUrl('hf', {}, 'squeezenet')).toThrow(/there is no "hf" source for SqueezeNet 1\.1 \(the Hugging Face hub has no safetensors of SqueezeNet 1\.1 in timm\); use torchvision, an http\(s\) URL or a file/);
    await expect(resolveWeights('hf', 1, 'fire9', () => {}, 'squeezenet')).rejects.toThrow(/no "hf" source for SqueezeNet 1\.1/);
    expect(sourceUrl('hf', {}, 'vgg19')).toMatch(/huggingface\.co\/timm\/vgg19/);
    expect(sourceUrl('torchvision', {}, 'squeezenet')).toBe('https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth');
  });

  it('a truncated SqueezeNet file is reported as truncated, in both torch formats and safetensors', async () => {
    const legacy = bytesOf(F.legacy);
    expect(() => convertPth(legacy.subarray(0, legacy.length - 1000), 'cut.pth', 'squeezenet')).toThrow(/cut\.pth: truncated: storage \S+ needs bytes up to \d+, the file has \d+/);
    expect(() => convertPth(legacy.subarray(0, 200), 'cut.pth', 'squeezenet')).toThrow(/cut\.pth: truncated pickle data/);
    const zip = bytesOf(F.zip);
    expect(() => convertPth(zip.subarray(0, zip.length - 3000), 'cut.pth', 'squeezenet')).toThrow(/cut\.pth: (not a zip|truncated|corrupt)/);
    const cuts: [string, Uint8Array, RegExp][] = [
      ['cut-legacy.pth', legacy.subarray(0, Math.floor(legacy.length * 0.7)), /cut-legacy\.pth: truncated: the storages need \d+ bytes, the file has \d+/],
      ['cut-zip.pth', zip.subarray(0, Math.floor(zip.length * 0.7)), /cut-zip\.pth: not a zip archive .*truncated/],
      ['cut.safetensors', bytesOf(F.safetensors).subarray(0, 3_000_000), /cut\.safetensors: truncated: tensor "\S+" ends at byte \d+ but the file has 3000000/],
    ];
    for (const [name, bytes, message] of cuts) {
      writeFileSync(join(tmp, name), bytes);
      await expect(loadPretrained(new FileSource(join(tmp, name)), 'fire9', undefined, 'squeezenet')).rejects.toThrow(message);
    }
  });

  it('a tensor of the wrong shape is named; a VGG19 layer name is not a SqueezeNet layer', async () => {
    const bad = join(tmp, 'bad-shape.safetensors');
    const header = JSON.stringify({ 'features.3.expand3x3.weight': { dtype: 'F32', shape: [64, 16, 1, 1], data_offsets: [0, 4096] } });
    const b = new Uint8Array(8 + header.length + 4096);
    new DataView(b.buffer).setBigUint64(0, BigInt(header.length), true);
    b.set(new TextEncoder().encode(header), 8);
    writeFileSync(bad, b);
    await expect(loadPretrained(new FileSource(bad), 'fire9', undefined, 'squeezenet')).rejects.toThrow(
      /tensor "features\.3\.expand3x3\.weight" \(fire2\/expand3x3\.weight\) has shape \[64,16,1,1\] but SqueezeNet 1\.1 needs \[64,16,3,3\]/,
    );
    await expect(loadPretrained(new FileSource(path(F.zip)), 'conv5_1', undefined, 'squeezenet')).rejects.toThrow(/unknown SqueezeNet 1\.1 layer "conv5_1"/);
  });
});

describe('the cache', () => {
  it('squeezenet-torchvision: downloads once, the next run makes no request, deeper layers fetch only what is missing', async () => {
    const store = new DirStore(join(tmp, 'cache-unit'));
    const obtain = (upTo: string) =>
      obtainPretrained({ store, network: 'squeezenet', source: 'torchvision', url: `${servers.origin}/files/${F.legacy}`, upTo, open: (u) => new HttpSource(u) });
    servers.reset();
    const first = await obtain('fire3');
    expect(first.id).toBe('squeezenet-torchvision');
    expect(first.fromCache).toBe(false);
    expectTorchValues(first.weights, 'fire3');
    servers.reset();
    expect((await obtain('fire2')).fromCache).toBe(true);
    expect(servers.totalRequests()).toBe(0);
    const deeper = await obtain('fire9');
    expect(deeper.fromCache).toBe(false);
    expectTorchValues(deeper.weights);
    // fire4..fire9, not conv1..fire3 again (nor the classifier)
    const shallow = paramConvsUpTo(SQUEEZENET, 'fire3').reduce((a, c) => a + 4 * c.O * (c.C * c.K * c.K + 1), 0);
    expect(servers.stats(F.legacy).bytes).toBeLessThan(CONV_BYTES - shallow + (400 << 10));
    expect(await findCached(store, 'squeezenet')).toBe('squeezenet-torchvision');
    expect(await findCached(store, 'vgg19')).toBe(null);
    expect(cacheId('https://example.org/sq.pth', 'squeezenet')).toMatch(/^squeezenet-url-[0-9a-f]{8}$/);
  });
});

/** Run a CLI asynchronously (the servers live in this process), with its own cache directory. */
function run(tool: string, args: string[], cache: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('npx', ['tsx', `tools/${tool}.ts`, ...args], {
      env: { ...process.env, XDG_CACHE_HOME: cache, NST_SQUEEZENET_URL: `${servers.origin}/resolve/${F.legacy}`, NST_TORCHVISION_URL: `${servers.origin}/files/nope.pth` },
    });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Call `f` with the environment of a CLI run (cache directory, mirror), restored afterwards. */
async function withEnv<T>(env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('npm run weights -- download --network squeezenet, then --weights auto', () => {
  const cache = join(tmp, 'cache-cli');
  const entries = () => readdirSync(join(cache, 'webgpu-neural-style', 'weights')).sort();

  it('fetches every conv of torchvision\'s file through the mirror into squeezenet-torchvision, with progress', async () => {
    servers.reset();
    const r = await run('weights', ['download', '--network', 'squeezenet'], cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/fetching conv1\.\.fire9 from http:\/\/127\.0\.0\.1:\d+\/resolve\/squeezenet-legacy\.pth \(torch-legacy\): [23]\.\d MB in \d ranged request\(s\)/);
    expect(r.err).toMatch(/downloaded SqueezeNet 1\.1 \(torchvision\): [\d.]+ \/ [\d.]+ MB \(100%\)/);
    expect(r.err).toMatch(/cached in .*squeezenet-torchvision\.json \(9 layers, 25 convs\)/);
    expect(entries()).toEqual(['squeezenet-torchvision.bin', 'squeezenet-torchvision.json']);
    expect(servers.stats(F.legacy).bytes).toBeLessThan(statSync(path(F.legacy)).size);
    const list = await run('weights', ['list'], cache);
    expect(list.out).toMatch(/squeezenet-torchvision {2}SqueezeNet 1\.1 {2}conv1\.\.fire9 \(9 layers, 25 convs\) {2}float32 {2}[23]\.\d MB {2}from http.*squeezenet-legacy\.pth \(torch-legacy\) on \d{4}-/);
  });

  it('a second download fetches nothing', async () => {
    servers.reset();
    const r = await run('weights', ['download', '--network', 'squeezenet'], cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/already cached: squeezenet-torchvision \(9 layers, 25 convs, no download\)/);
    expect(servers.totalRequests()).toBe(0);
  });

  it('--weights auto with --network squeezenet finds it (no request); VGG19 does not take it', async () => {
    servers.reset();
    const logs: string[] = [];
    const env = { XDG_CACHE_HOME: cache, NST_SQUEEZENET_URL: `${servers.origin}/files/nope.pth` };
    const r = await withEnv(env, () => resolveWeights('auto', 1, 'fire9', (s) => logs.push(s), 'squeezenet'));
    expect(r.kind).toBe('raw');
    if (r.kind !== 'raw') return;
    expect(r.name).toBe('squeezenet-torchvision');
    expectTorchValues(parseRawWeights(r.manifest, ab(r.bin), r.name));
    expect(servers.totalRequests()).toBe(0);
    const vgg = await withEnv(env, () => resolveWeights('auto', 1, 'conv5_1', (s) => logs.push(s), 'vgg19'));
    expect(vgg).toEqual({ kind: 'random', seed: 1, network: 'vgg19' });
    expect(logs.join('\n')).toMatch(/seeded random VGG19 \(seed 1\) .* npm run weights -- download$/);
  });

  it('with no SqueezeNet cached (a VGG19 entry only), auto runs the embedded pretrained SqueezeNet, never a random one', async () => {
    const other = join(tmp, 'cache-vgg-only');
    const store = new DirStore(join(other, 'webgpu-neural-style', 'weights'));
    const raw = toRawWeights(randomVgg19(1, 'conv1_2'));
    await store.write('vgg19-torchvision', raw.manifest, raw.bin);
    const logs: string[] = [];
    const r = await withEnv({ XDG_CACHE_HOME: other }, () => resolveWeights('auto', 4, 'fire9', (s) => logs.push(s), 'squeezenet'));
    expect(r.kind).toBe('raw');
    expect(r.kind === 'raw' && r.name).toBe('squeezenet1_1-deepscale');
    expect(logs).toEqual([]);
    expect(await withEnv({ XDG_CACHE_HOME: other }, () => resolveWeights('random', 2, 'fire9', () => {}, 'squeezenet'))).toEqual({ kind: 'random', seed: 2, network: 'squeezenet' });
  });

  it('--source hf with --network squeezenet fails plainly, caching nothing', async () => {
    const c = join(tmp, 'cache-hf');
    const r = await run('weights', ['download', '--network', 'squeezenet', '--source', 'hf'], c);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/there is no "hf" source for SqueezeNet 1\.1/);
    expect(existsSync(c) ? readdirSync(c) : []).toEqual([]);
  });

  it('download --full, convert and random take --network; convert without it names the network', async () => {
    const sha = createHash('sha256').update(readFileSync(path(F.legacy))).digest('hex');
    const full = join(tmp, 'full', 'sq.json');
    const r = await run('weights', ['download', '--full', '--network', 'squeezenet', '--url', `${servers.origin}/files/${F.legacy}`, '--sha256', sha.slice(0, 8), '--out', full], cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/wrote .*sq\.json \+ sq\.bin \(SqueezeNet 1\.1, 9 layers, 25 convs/);
    const loaded = await loadWeightsFile(full, 'fire9', 'squeezenet');
    expectTorchValues(parseRawWeights(loaded.manifest, ab(loaded.bin), 'sq'));
    const converted = join(tmp, 'conv', 'sq.json');
    const c = await run('weights', ['convert', path(F.zip), '--network', 'squeezenet', '--out', converted], cache);
    expect(c.code, c.err).toBe(0);
    const info = await run('weights', ['info', converted], cache);
    expect(info.out).toMatch(/SqueezeNet 1\.1, 9 layers, 25 convs \(conv1, fire2\/squeeze, fire2\/expand1x1, fire2\/expand3x3, /);
    const wrong = await run('weights', ['convert', path(F.zip), '--out', join(tmp, 'conv', 'x.json')], cache);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/squeezenet-zip\.pth: holds SqueezeNet 1\.1 weights, not VGG19's; use --network squeezenet/);
    const random = join(tmp, 'rnd', 'sq.json');
    expect((await run('weights', ['random', '--network', 'squeezenet', '--seed', '3', '--out', random], cache)).code).toBe(0);
    expect(JSON.parse(readFileSync(random, 'utf8')).model).toBe('squeezenet');
    const bad = await run('weights', ['download', '--network', 'resnet'], cache);
    expect(bad.err).toMatch(/--network must be one of vgg19, squeezenet, got "resnet"/);
  });
});
