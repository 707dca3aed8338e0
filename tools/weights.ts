/**
 * npm run weights -- <command>          (--network vgg19|squeezenet says whose weights; VGG19 by default)
 *   download [--network vgg19|squeezenet] [--source torchvision|hf|URL] [--layers LAYER] [--float16] [--out FILE.json]
 *       pretrained weights into the cache (~/.cache/webgpu-neural-style/weights, or
 *       $XDG_CACHE_HOME/…): only the conv tensors up to --layers, fetched with a few ranged requests.
 *       VGG19: --layers conv5_1 by default (what the default losses use: ~52 MB of the 548 MB
 *       file); torchvision (the default) is download.pytorch.org's vgg19-dcbb9e9d.pth, hf the same
 *       weights as safetensors on the Hugging Face hub (timm/vgg19.tv_in1k).
 *       SqueezeNet 1.1 (--network squeezenet): --layers fire9 by default, every conv (~3 MB of the
 *       4.9 MB file); torchvision is download.pytorch.org's squeezenet1_1-b8a52dc0.pth (there is
 *       no hf file of it). --float16 halves the cache (values rounded; the GPU still computes in
 *       float32). --out also writes a copy.
 *   download --full [--network N] [--sha256 PREFIX] [--out weights/vgg19.json]
 *       the whole .pth (VGG19's 548 MB, SqueezeNet's 4.9 MB), its SHA-256 prefix checked
 *       (torchvision's dcbb9e9d, b8a52dc0), converted
 *   download --gatys [--out weights/vgg_conv.json]
 *       Gatys et al.'s normalised VGG19 (vgg_conv.pth, 80 MB, Caffe input convention), whole;
 *       no published checksum: its SHA-256 is printed (pass --sha256 PREFIX to enforce one)
 *   list                                           cached weights: network, layers, size, source, date
 *   clear [ID]                                     forget cached weights (all, or one entry)
 *   convert FILE.pth|FILE.safetensors [--network N] [--out weights/vgg19.json]
 *                                                  convert a state dict (VGG19: torchvision's, timm's
 *                                                  or Gatys'; SqueezeNet: torchvision's; read in place)
 *   random [--network N] [--seed N] [--out weights/random-seed1.json]   write the seeded random network
 *   info FILE.json                                 check a raw weights file (either network) and list its layers
 * $NST_TORCHVISION_URL / $NST_HF_URL point VGG19's source names at mirrors, $NST_SQUEEZENET_URL
 * SqueezeNet's torchvision file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, relative } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { describeConvs, EMBEDDED_SQUEEZENET, fetchPretrained, loadWeightsFile } from './lib/weights_files.js';
import { DirStore } from './lib/weights_store.js';
import { listEntries, NETWORK_PRETRAINED_URLS } from '../src/io/weights_cache.js';
import { concat } from '../src/io/byte_source.js';
import { NETWORK_IDS, networkSpec, paramConvsUpTo, type NetworkId } from '../src/model/networks.js';
import { convertPth } from '../src/io/torch_names.js';
import { randomNetwork, type NetworkWeights } from '../src/model/weights.js';
import { parseRawWeights, toRawWeights } from '../src/io/raw_weights.js';

export const TORCHVISION_VGG19_URL = 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth';
/** torchvision names its files NAME-<first 8 hex digits of the SHA-256>.pth and checks that prefix. */
export const TORCHVISION_VGG19_SHA256_PREFIX = 'dcbb9e9d';
export const TORCHVISION_SQUEEZENET_URL = NETWORK_PRETRAINED_URLS.squeezenet.torchvision!;
export const TORCHVISION_SQUEEZENET_SHA256_PREFIX = 'b8a52dc0';

/** What each network's download does by default. */
const DOWNLOAD: Record<NetworkId, { layers: string; fullUrl: string; sha: string; out: string }> = {
  vgg19: { layers: 'conv5_1', fullUrl: TORCHVISION_VGG19_URL, sha: TORCHVISION_VGG19_SHA256_PREFIX, out: 'weights/vgg19.json' },
  squeezenet: { layers: 'fire9', fullUrl: TORCHVISION_SQUEEZENET_URL, sha: TORCHVISION_SQUEEZENET_SHA256_PREFIX, out: 'weights/squeezenet1_1.json' },
};

/** The model a raw manifest names, if `file` is one that says. */
function manifestNetwork(file: string): NetworkId | undefined {
  if (!file.endsWith('.json') || !existsSync(file)) return undefined;
  try {
    const model = JSON.parse(readFileSync(file, 'utf8')).model;
    return NETWORK_IDS.includes(model) ? model : undefined;
  } catch {
    return undefined; // loadWeightsFile reports what is wrong with it
  }
}

/** --network, checked (VGG19 when absent). */
function networkArg(a: Args): NetworkId {
  return a.choice('network', NETWORK_IDS, 'vgg19')!;
}
/** Gatys et al.'s normalised VGG19 (from their PyTorch notebook). */
export const GATYS_VGG_CONV_URL = 'https://bethgelab.org/media/uploads/pytorch_models/vgg_conv.pth';

function writeRaw(w: NetworkWeights, out: string, raw = toRawWeights(w)): void {
  if (!out.endsWith('.json')) throw new Error(`--out must end in .json (the .bin is written beside it), got "${out}"`);
  mkdirSync(dirname(out) || '.', { recursive: true });
  const bin = out.replace(/\.json$/, '.bin');
  writeFileSync(`${bin}.partial`, raw.bin);
  writeFileSync(`${out}.partial`, raw.manifest);
  renameSync(`${bin}.partial`, bin);
  renameSync(`${out}.partial`, out);
  process.stderr.write(
    `wrote ${out} + ${basename(bin)} (${networkSpec(w.network).label}, ${describeConvs(w.network, [...w.layers.keys()])}, ${(raw.bin.length / 1e6).toFixed(1)} MB, input ${w.input.channelOrder} range ${w.input.range})\n`,
  );
}

/** Download with a progress line; verifies the SHA-256 prefix; returns the bytes. */
export async function download(url: string, shaPrefix: string, dest: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not reach ${url} (${(e as Error).message}); are you online? You can also download it yourself and run: npm run weights -- convert FILE.pth`);
  }
  if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  mkdirSync(dirname(dest) || '.', { recursive: true });
  const partial = `${dest}.partial`;
  const file = createWriteStream(partial);
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let got = 0, lastReport = 0;
  const t0 = Date.now();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      chunks.push(chunk);
      file.write(chunk);
      got += chunk.length;
      if (Date.now() - lastReport > 500) {
        lastReport = Date.now();
        const mb = (n: number) => (n / 1e6).toFixed(1);
        const rate = got / 1e6 / Math.max(0.001, (Date.now() - t0) / 1000);
        process.stderr.write(`\rdownloading ${basename(url)}: ${mb(got)}${total ? ` / ${mb(total)} MB (${((100 * got) / total).toFixed(0)}%)` : ' MB'} at ${rate.toFixed(1)} MB/s   `);
      }
    }
  } finally {
    await new Promise((r) => file.end(r));
  }
  process.stderr.write(`\rdownloaded ${(got / 1e6).toFixed(1)} MB${' '.repeat(40)}\n`);
  const digest = hash.digest('hex');
  if (shaPrefix === '') process.stderr.write(`SHA-256 ${digest} (no checksum to compare with)\n`);
  else if (!digest.startsWith(shaPrefix.toLowerCase())) {
    rmSync(partial, { force: true });
    throw new Error(`checksum mismatch for ${url}: SHA-256 ${digest} does not start with ${shaPrefix} (corrupt or incomplete download)`);
  }
  renameSync(partial, dest);
  return concat(chunks, got);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') {
    process.stdout.write(readFileSync(new URL(import.meta.url)).toString().split('*/')[0].replace(/^\/\*\*?\n?/, '').replace(/^ \* ?/gm, ''));
    return cmd ? 0 : 2;
  }
  if (cmd === 'download') {
    const a = new Args(rest, ['gatys', 'full', 'float16']);
    const network = networkArg(a);
    const spec = networkSpec(network);
    const gatys = a.has('gatys');
    if (gatys && network !== 'vgg19') throw new Error('--gatys is VGG19 (Gatys et al.\'s vgg_conv.pth); drop --network squeezenet');
    const full = gatys || a.has('full') || a.has('sha256');
    const url = a.str('url');
    const defaults = DOWNLOAD[network];
    if (!full) {
      const source = a.str('source', url ?? 'torchvision')!;
      const layers = a.str('layers', defaults.layers)!;
      paramConvsUpTo(spec, layers); // names an unknown layer
      const float16 = a.has('float16');
      const out = a.str('out');
      a.rejectUnknown();
      if (out && !out.endsWith('.json')) throw new Error(`--out must end in .json (the .bin is written beside it), got "${out}"`);
      const r = await fetchPretrained(source, layers, { float16, network });
      if (r.fromCache) process.stderr.write(`already cached: ${r.id} (${describeConvs(network, [...r.weights.layers.keys()])}, no download)\n`);
      if (out) writeRaw(r.weights, out, { manifest: r.raw.manifest, bin: new Uint8Array(r.raw.bin) });
      return 0;
    }
    const out = a.str('out', gatys ? 'weights/vgg_conv.json' : defaults.out)!;
    const sha = a.str('sha256', gatys ? '' : defaults.sha)!;
    const from = url ?? a.str('source', gatys ? GATYS_VGG_CONV_URL : defaults.fullUrl)!;
    a.rejectUnknown();
    const pth = out.replace(/\.json$/, '.pth');
    const bytes = existsSync(pth) ? new Uint8Array(readFileSync(pth)) : await download(from, sha, pth);
    if (existsSync(pth)) process.stderr.write(`using ${pth} (delete it to download again)\n`);
    process.stderr.write('converting…\n');
    writeRaw(convertPth(bytes, basename(pth), network), out);
    return 0;
  }
  if (cmd === 'list') {
    new Args(rest).rejectUnknown();
    const store = new DirStore();
    const entries = await listEntries(store);
    process.stdout.write(`embedded: ${relative(process.cwd(), EMBEDDED_SQUEEZENET) || EMBEDDED_SQUEEZENET}  SqueezeNet 1.1 pretrained on ImageNet (DeepScale), every conv, float32, 2.9 MB — the default when no VGG19 is cached\n`);
    if (!entries.length) {
      process.stdout.write(`no cached weights in ${store.location} (npm run weights -- download fetches the paper's VGG19, ~52 MB)\n`);
      return 0;
    }
    process.stdout.write(`${store.location}\n`);
    for (const e of entries) {
      const o = e.origin;
      const what = `${networkSpec(e.network).label}  ${describeConvs(e.network, e.layers, true)}`;
      process.stdout.write(`  ${e.id}  ${what}  ${e.dtype}  ${(e.bytes / 1e6).toFixed(1)} MB${o ? `  from ${o.url} (${o.format}) on ${o.fetched.slice(0, 10)}` : ''}\n`);
    }
    return 0;
  }
  if (cmd === 'clear') {
    const [id, ...more] = rest;
    new Args(more).rejectUnknown();
    const store = new DirStore();
    const ids = id ? [id] : await store.list();
    if (id && !(await store.list()).includes(id)) throw new Error(`no cached entry "${id}" (see npm run weights -- list)`);
    for (const x of ids) await store.remove(x);
    process.stderr.write(ids.length ? `removed ${ids.join(', ')} from ${store.location}\n` : `nothing cached in ${store.location}\n`);
    return 0;
  }
  if (cmd === 'convert') {
    const [file, ...opts] = rest;
    if (!file) throw new Error('usage: npm run weights -- convert FILE.pth|FILE.safetensors [--network vgg19|squeezenet] [--out weights/vgg19.json]');
    const a = new Args(opts);
    const network = networkArg(a);
    const out = a.str('out', DOWNLOAD[network].out)!;
    a.rejectUnknown();
    if (!existsSync(file)) throw new Error(`"${file}" does not exist`);
    const raw = await loadWeightsFile(file, undefined, network);
    writeRaw(parseRawWeights(raw.manifest, raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer, basename(file)), out, raw);
    return 0;
  }
  if (cmd === 'random') {
    const a = new Args(rest);
    const network = networkArg(a);
    const seed = a.int('seed', 1, 0, 2 ** 31)!;
    const out = a.str('out', network === 'vgg19' ? `weights/random-seed${seed}.json` : `weights/random-${network}-seed${seed}.json`)!;
    a.rejectUnknown();
    writeRaw(randomNetwork(network, seed), out);
    return 0;
  }
  if (cmd === 'info') {
    const file = rest[0];
    if (!file) throw new Error('usage: npm run weights -- info FILE.json [--network vgg19|squeezenet]');
    const a = new Args(rest.slice(1));
    // our raw format says its network; a .pth or .safetensors is read as --network's
    const network = a.has('network') ? networkArg(a) : (manifestNetwork(file) ?? 'vgg19');
    a.rejectUnknown();
    const raw = await loadWeightsFile(file, undefined, network);
    const w = parseRawWeights(raw.manifest, raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer, file);
    process.stdout.write(`${file}: ${networkSpec(w.network).label}, ${describeConvs(w.network, [...w.layers.keys()])} (${[...w.layers.keys()].join(', ')}); input ${JSON.stringify(w.input)}\n`);
    return 0;
  }
  throw new Error(`unknown command "${cmd}" (download, list, clear, convert, random, info)`);
}

if (process.argv[1]?.endsWith('weights.ts')) {
  runMain(() => main(process.argv.slice(2)));
}
