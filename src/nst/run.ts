/**
 * A whole style-transfer job as the CLI and the demo run it: decode images, pick weights, run
 * the optimisation with progress callbacks, hand back pixels. Browser-side (needs WebGPU and
 * createImageBitmap); the GPU context is passed in.
 */
import type { KernelLibrary } from '../kernels/library.js';
import { decodeImage, fitSize, rasterize } from './decode.js';
import type { StyleTransferOptions } from './options.js';
import { StyleTransfer, type LossTerms, type RgbaImage } from './style_transfer.js';
import { parseRawWeights, randomVgg19, type VggWeights } from './weights.js';
import { deepestLayer } from './vgg19_spec.js';

export type WeightsSource = { kind: 'random'; seed: number } | { kind: 'raw'; name: string; manifest: string; bin: ArrayBuffer } | { kind: 'loaded'; weights: VggWeights };

export interface JobImages {
  content: Blob;
  styles: { blob: Blob; blend: number; name: string }[];
  contentName: string;
}

export interface JobConfig {
  /** Longer side of the output, in pixels. */
  size: number;
  /** Style images are resized to size·styleScale (longer side). */
  styleScale: number;
  options: Partial<StyleTransferOptions>;
  /** Read losses (and report progress) every this many steps. */
  reportEvery: number;
  /** Also hand out intermediate images every this many steps (0 = never). */
  saveEvery: number;
}

export interface Progress {
  step: number;
  iterations: number;
  losses: LossTerms;
  secondsPerStep: number;
  elapsed: number;
}

export interface JobCallbacks {
  onProgress?: (p: Progress) => void | Promise<void>;
  onSnapshot?: (step: number, image: RgbaImage) => void | Promise<void>;
  /** Polled between steps; return true to stop early (the current image is returned). */
  shouldStop?: () => boolean;
}

export function loadWeights(src: WeightsSource, deepest: string): VggWeights {
  if (src.kind === 'random') return randomVgg19(src.seed, deepest);
  if (src.kind === 'loaded') return src.weights;
  return parseRawWeights(src.manifest, src.bin, src.name);
}

export async function prepareImages(images: JobImages, config: JobConfig): Promise<{ content: RgbaImage; styles: (RgbaImage & { blend: number })[] }> {
  if (!Number.isInteger(config.size) || config.size < 1) throw new Error(`invalid size ${config.size}`);
  if (!(config.styleScale > 0) || config.styleScale > 10) throw new Error(`invalid style scale ${config.styleScale} (must be in (0, 10])`);
  const cb = await decodeImage(`content image ${images.contentName}`, images.content);
  const cs = fitSize(cb.width, cb.height, config.size);
  const content = rasterize(cb, cs.width, cs.height);
  const styles = [];
  for (const s of images.styles) {
    const b = await decodeImage(`style image ${s.name}`, s.blob);
    const ss = fitSize(b.width, b.height, Math.round(config.size * config.styleScale));
    styles.push({ ...rasterize(b, ss.width, ss.height), blend: s.blend });
  }
  return { content, styles };
}

/** Run a job; returns the final image and losses. Disposes all GPU buffers it made. */
export async function runJob(lib: KernelLibrary, images: JobImages, weightsSrc: WeightsSource, config: JobConfig, cb: JobCallbacks = {}) {
  const { content, styles } = await prepareImages(images, config);
  const opts = config.options;
  const layerNames = [...(opts.contentLayers ?? [{ name: 'conv4_2' }]), ...(opts.styleLayers ?? [{ name: 'conv5_1' }])].map((l) => l.name);
  const weights = loadWeights(weightsSrc, deepestLayer(layerNames));
  const st = new StyleTransfer(lib, weights, content, styles, opts);
  try {
    const iterations = st.options.iterations;
    const t0 = performance.now();
    let losses = await st.evaluate();
    let lastT = t0, lastStep = 0;
    await cb.onProgress?.({ step: 0, iterations, losses, secondsPerStep: 0, elapsed: 0 });
    while (st.step < iterations && !cb.shouldStop?.()) {
      const chunk = Math.min(config.reportEvery, iterations - st.step, config.saveEvery > 0 ? config.saveEvery - (st.step % config.saveEvery) : Infinity);
      losses = (await st.run(chunk, true))!;
      const now = performance.now();
      await cb.onProgress?.({ step: st.step, iterations, losses, secondsPerStep: (now - lastT) / 1000 / (st.step - lastStep), elapsed: (now - t0) / 1000 });
      lastT = now;
      lastStep = st.step;
      if (config.saveEvery > 0 && st.step % config.saveEvery === 0 && st.step < iterations) {
        await cb.onSnapshot?.(st.step, { width: st.width, height: st.height, data: await st.pixels() });
      }
    }
    const image: RgbaImage = { width: st.width, height: st.height, data: await st.pixels() };
    return { image, losses, steps: st.step, weightsSource: weights.source, seconds: (performance.now() - t0) / 1000, content, styles };
  } finally {
    st.dispose();
  }
}
