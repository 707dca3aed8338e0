/**
 * npm run video-style -- --input CLIP --style FILE [--start SECONDS] RESULT [RESULT …]
 *
 * How stylized each frame of a stylized video is, by the engine's own measure: the style loss
 * (SqueezeNet 1.1's embedded weights and default style layers, the Gram distance to the style
 * image's) of the result frame's pixels as they were written, at the result's size, against the
 * matching input frame as content. Results are videos or folders of PNG frames (sorted by name);
 * the input is resized to each result's size by ffmpeg, from --start (the video command's). Prints
 * one line per result: the per-frame style losses, their mean, and each frame's loss ÷ the first
 * frame's. Give a run of `npm run video --independent` as one of the results and divide the
 * others' losses by its frame by frame to see whether they are as stylized as stills
 * (docs/video.md). A reference measure: it does not change the frames.
 */
const USAGE = `How stylized each frame of stylized videos is: the style loss of each written frame.

usage: npm run video-style -- --input CLIP --style FILE [--start SECONDS] RESULT [RESULT …]
  --input CLIP        the video the results were made from
  --style FILE        the style image they were painted with
  --start SECONDS     where in CLIP the results begin (npm run video's --start; default 0)
  RESULT              a video, or a folder of PNG frames (npm run video's OUT.frames/)
One line per result: the style loss of every frame (SqueezeNet 1.1's, lower = closer to the
style), their mean, and each ÷ the first frame's. See docs/video.md.
`;
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { Args, runMain } from './lib/args.js';
import { allowShaderImports, findDawnAdapter } from './lib/dawn_engine.js';
import { decodeFrames, probeVideo } from './lib/video_io.js';

type Rgba = { width: number; height: number; data: Uint8Array };

/** Every frame of a result: a folder's PNGs by name, or a video's frames decoded at its own size. */
async function resultFrames(path: string): Promise<Rgba[]> {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((f) => f.toLowerCase().endsWith('.png'))
      .sort()
      .map((f) => {
        const p = PNG.sync.read(readFileSync(join(path, f)));
        return { width: p.width, height: p.height, data: new Uint8Array(p.data) };
      });
  }
  const info = probeVideo(path, 'RESULT');
  const frames: Rgba[] = [];
  for await (const data of decodeFrames(path, 0, info.frames, info.width, info.height)) frames.push({ width: info.width, height: info.height, data });
  return frames;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  // every flag takes a value; the other words are the results
  const flags: string[] = [], results: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) flags.push(argv[i], ...(argv[i].includes('=') || i + 1 >= argv.length ? [] : [argv[++i]]));
    else results.push(argv[i]);
  }
  const a = new Args(flags);
  const input = a.str('input'), stylePath = a.str('style');
  const start = a.num('start', 0, (v) => v >= 0, 'a number of seconds ≥ 0')!;
  a.rejectUnknown();
  if (!input || !stylePath || results.length === 0) throw new Error('give --input CLIP, --style FILE and at least one RESULT (npm run video-style -- --help)');
  const found = await findDawnAdapter('auto');
  if (!found) throw new Error('no Dawn adapter: a GPU or lavapipe is needed (bash tools/setup.sh installs lavapipe)');
  allowShaderImports();
  const { createStylizer } = await import('../src/index.js');
  const s = await createStylizer({ gpu: found.gpu });
  process.stderr.write(`adapter: ${found.kind}\n`);
  const { data, info } = await sharp(stylePath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const style = { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
  try {
    for (const path of results) {
      const frames = await resultFrames(path);
      if (!frames.length) throw new Error(`${path}: no frames`);
      const { width, height } = frames[0];
      const losses: number[] = [];
      let t = 0;
      for await (const content of decodeFrames(input, start, frames.length, width, height)) {
        // zero steps: the loss of the frame as written (its pixels are the start)
        const r = await s.stylize({ content: { width, height, data: content }, style, size: Math.max(width, height), scales: 1, iterations: 0, initImage: frames[t++] });
        losses.push(r.losses.styleTotal);
      }
      const mean = losses.reduce((x, y) => x + y, 0) / losses.length;
      process.stdout.write(`${path}\tstyle loss per frame ${losses.map((l) => l.toExponential(2)).join(' ')}\tmean ${mean.toExponential(3)}\t÷ first ${losses.map((l) => (l / losses[0]).toFixed(2)).join(' ')}\n`);
    }
  } finally {
    s.destroy();
  }
  return 0;
}

runMain(main);
