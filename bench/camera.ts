/**
 * npm run bench:camera -- [--size 128] [--steps 4] [--first 20] [--frames 40] [--plain] [--adapter auto|gpu|lavapipe]
 *
 * The page's Camera mode (demo/video_session.ts) without the browser: the same library calls in
 * Node through Dawn — one session (createStylizer, embedded SqueezeNet 1.1), each frame of a moving
 * crop of examples/chelsea.png stylized at one scale from the previous result warped along the
 * optical flow (FlowInit) with the temporal loss, as the page does (--plain: from the previous
 * result as it was, the page's start before) — so
 * its frames per second can be measured on lavapipe or a GPU, where Chromium here has only
 * SwiftShader. Prints one line per 10 frames (frames/s over them, the session's live GPU bytes)
 * and a summary; the first frame (its own steps) is left out of the rate.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { Args, runMain } from '../tools/lib/args.js';
import { adapterFlag } from '../tools/lib/dawn_adapters.js';
import { allowShaderImports, findDawnAdapter } from '../tools/lib/dawn_engine.js';
import { TEMPORAL_WEIGHT } from '../src/video/compose_init.js';

/** Frame i of a crop moving 3 px right and 1 px down per frame (with a little jitter), resized to size × 3/4·size (area average). */
function frameAt(src: PNG, i: number, size: number) {
  const w = size, h = Math.round((size * 3) / 4);
  const cw = Math.round(src.width * 0.6), ch = Math.round((cw * 3) / 4);
  const x0 = Math.min(src.width - cw, 20 + 3 * i + Math.round(2 * Math.sin(i * 1.7))), y0 = Math.min(src.height - ch, 10 + i + Math.round(2 * Math.cos(i * 2.3)));
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const acc = [0, 0, 0];
      let n = 0;
      for (let sy = Math.floor((y * ch) / h); sy < Math.max(Math.floor(((y + 1) * ch) / h), Math.floor((y * ch) / h) + 1); sy++)
        for (let sx = Math.floor((x * cw) / w); sx < Math.max(Math.floor(((x + 1) * cw) / w), Math.floor((x * cw) / w) + 1); sx++) {
          const p = 4 * ((y0 + sy) * src.width + x0 + sx);
          for (let k = 0; k < 3; k++) acc[k] += src.data[p + k];
          n++;
        }
      for (let k = 0; k < 3; k++) data[4 * (y * w + x) + k] = acc[k] / n;
      data[4 * (y * w + x) + 3] = 255;
    }
  return { width: w, height: h, data };
}

async function main(): Promise<number> {
  const a = new Args(process.argv.slice(2), ['plain']);
  const size = a.int('size', 128, 16, 1024)!, steps = a.int('steps', 4, 1, 1000)!, first = a.int('first', 20, 1, 1000)!, frames = a.int('frames', 40, 2, 100000)!;
  const plain = a.has('plain');
  const adapter = adapterFlag(a);
  a.rejectUnknown();
  const found = await findDawnAdapter(adapter);
  if (!found) throw new Error('no Dawn adapter: a GPU or lavapipe is needed (bash tools/setup.sh installs lavapipe)');
  allowShaderImports();
  const { createStylizer } = await import('../src/index.js');
  const { FlowInit } = await import('../src/video/flow_init.js');
  const src = PNG.sync.read(readFileSync('examples/chelsea.png'));
  const { data: styleBytes, info } = await sharp('examples/starry_night.jpg').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const style = { width: info.width, height: info.height, data: new Uint8ClampedArray(styleBytes) };
  const s = await createStylizer({ gpu: found.gpu });
  process.stdout.write(`adapter: ${found.kind} (${found.adapter.info?.description || found.adapter.info?.device || '?'}); ${size} px, ${steps} steps per frame (first ${first}), ${plain ? 'plain warm start' : 'flow-warped start and temporal loss'}\n`);
  let flow: InstanceType<typeof FlowInit> | null = null;
  const bytes = (img: { width: number; height: number; data: Uint8ClampedArray }) => ({ width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });
  try {
    type Image = { width: number; height: number; data: Uint8ClampedArray };
    let previous: Image | null = null;
    let previousContent: Image | null = null;
    const times: number[] = [];
    let mark = performance.now();
    for (let i = 0; i < frames; i++) {
      const t0 = performance.now();
      const content = frameAt(src, i, size);
      let start: object = {};
      if (previous && plain) start = { initImage: previous };
      else if (previous) {
        flow ??= new FlowInit(s.lib, content.width, content.height);
        const init = await flow.init({ result: bytes(previous), content: bytes(previousContent!) }, bytes(content));
        start = { initImage: init.image, temporal: { image: init.image, mask: init.mask, weight: TEMPORAL_WEIGHT } };
      }
      const r = await s.stylize({ content, style, size, scales: 1, iterations: previous ? steps : first, ...start });
      previous = { width: r.width, height: r.height, data: r.data };
      previousContent = content;
      if (i > 0) times.push(performance.now() - t0);
      if (i > 0 && i % 10 === 0) {
        const now = performance.now();
        process.stdout.write(`frames ${i - 9}–${i}: ${(10000 / (now - mark)).toFixed(2)} frames/s, GPU memory in use ${(s.lib.memory.stats().liveBytes / 2 ** 20).toFixed(1)} MiB\n`);
        mark = now;
      }
      if (i === 0) mark = performance.now();
    }
    const sorted = [...times].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)] / 1000;
    process.stdout.write(`warm frames: median ${median.toFixed(3)} s/frame = ${(1 / median).toFixed(2)} frames/s (min ${(sorted[0] / 1000).toFixed(3)}, max ${(sorted[sorted.length - 1] / 1000).toFixed(3)} s)\n`);
  } finally {
    flow?.release();
    s.destroy();
  }
  return 0;
}

runMain(main);
