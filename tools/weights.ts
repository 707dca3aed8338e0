/**
 * npm run weights -- <command>
 *   download [--out weights/vgg19.json] [--url URL] [--sha256 PREFIX]
 *       fetch torchvision's pretrained VGG19 (548 MB), verify its SHA-256, convert to our raw format
 *   download --gatys [--out weights/vgg_conv.json]
 *       fetch Gatys et al.'s normalised VGG19 (vgg_conv.pth, 80 MB, Caffe input convention);
 *       no published checksum: its SHA-256 is printed (pass --sha256 PREFIX to enforce one)
 *   convert FILE.pth [--out weights/vgg19.json]    convert a VGG19 state dict (torchvision's or
 *                                                  Gatys'; zip or legacy torch.save format)
 *   random [--seed N] [--out weights/random.json]  write the seeded random VGG19
 *   info FILE.json                                 check a raw weights file and list its layers
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { loadWeightsFile } from './lib/weights_files.js';
import { convertVgg19Pth } from '../src/nst/torch_pth.js';
import { parseRawWeights, randomVgg19, toRawWeights, type VggWeights } from '../src/nst/weights.js';

export const TORCHVISION_VGG19_URL = 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth';
/** torchvision names its files NAME-<first 8 hex digits of the SHA-256>.pth and checks that prefix. */
export const TORCHVISION_VGG19_SHA256_PREFIX = 'dcbb9e9d';
/** Gatys et al.'s normalised VGG19 (from their PyTorch notebook). */
export const GATYS_VGG_CONV_URL = 'https://bethgelab.org/media/uploads/pytorch_models/vgg_conv.pth';

function writeRaw(w: VggWeights, out: string): void {
  if (!out.endsWith('.json')) throw new Error(`--out must end in .json (the .bin is written beside it), got "${out}"`);
  const raw = toRawWeights(w);
  mkdirSync(dirname(out) || '.', { recursive: true });
  const bin = out.replace(/\.json$/, '.bin');
  writeFileSync(`${bin}.partial`, raw.bin);
  writeFileSync(`${out}.partial`, raw.manifest);
  renameSync(`${bin}.partial`, bin);
  renameSync(`${out}.partial`, out);
  process.stderr.write(`wrote ${out} + ${basename(bin)} (${w.layers.size} conv layers, ${(raw.bin.length / 1e6).toFixed(1)} MB, input ${w.input.channelOrder} range ${w.input.range})\n`);
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
  const out = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help') {
    process.stdout.write(readFileSync(new URL(import.meta.url)).toString().split('*/')[0].replace(/^\/\*\*?\n?/, '').replace(/^ \* ?/gm, ''));
    return cmd ? 0 : 2;
  }
  if (cmd === 'download') {
    const a = new Args(rest, ['gatys']);
    const gatys = a.has('gatys');
    const out = a.str('out', gatys ? 'weights/vgg_conv.json' : 'weights/vgg19.json')!;
    const url = a.str('url', gatys ? GATYS_VGG_CONV_URL : TORCHVISION_VGG19_URL)!;
    const sha = a.str('sha256', gatys ? '' : TORCHVISION_VGG19_SHA256_PREFIX)!;
    a.rejectUnknown();
    const pth = out.replace(/\.json$/, '.pth');
    const bytes = existsSync(pth) ? new Uint8Array(readFileSync(pth)) : await download(url, sha, pth);
    if (existsSync(pth)) process.stderr.write(`using ${pth} (delete it to download again)\n`);
    process.stderr.write('converting…\n');
    writeRaw(convertVgg19Pth(bytes, basename(pth)), out);
    return 0;
  }
  if (cmd === 'convert') {
    const [file, ...opts] = rest;
    if (!file) throw new Error('usage: npm run weights -- convert FILE.pth [--out weights/vgg19.json]');
    const a = new Args(opts);
    const out = a.str('out', 'weights/vgg19.json')!;
    a.rejectUnknown();
    if (!existsSync(file)) throw new Error(`"${file}" does not exist`);
    writeRaw(convertVgg19Pth(new Uint8Array(readFileSync(file)), basename(file)), out);
    return 0;
  }
  if (cmd === 'random') {
    const a = new Args(rest);
    const seed = a.int('seed', 1, 0, 2 ** 31)!;
    const out = a.str('out', `weights/random-seed${seed}.json`)!;
    a.rejectUnknown();
    writeRaw(randomVgg19(seed), out);
    return 0;
  }
  if (cmd === 'info') {
    const file = rest[0];
    if (!file) throw new Error('usage: npm run weights -- info FILE.json');
    const raw = loadWeightsFile(file);
    const w = parseRawWeights(raw.manifest, raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer, file);
    process.stdout.write(`${file}: ${w.layers.size} layers (${[...w.layers.keys()].join(', ')}); input ${JSON.stringify(w.input)}\n`);
    return 0;
  }
  throw new Error(`unknown command "${cmd}" (download, convert, random, info)`);
}

if (process.argv[1]?.endsWith('weights.ts')) {
  runMain(() => main(process.argv.slice(2)));
}
