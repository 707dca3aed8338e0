/**
 * Colour control by histogram matching on the GPU (the method: colour_match.ts): the moments of
 * the content and the style image summed by image/colour_moments (nine numbers each read back,
 * once per style image), the transform made on the host, applied by image/colour_affine and
 * clamped to displayable colours (image/clamp), so the style's Grams are taken of a real image.
 */
import { colourAffine, colourMoments, momentPartialsShape } from '../kernels/image/colour.js';
import { clampImage, type InputConvention } from '../kernels/image/image.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import type { Tensor } from '../kernels/tensor.js';
import { colourMatchTransform, statsFromMoments, type ColourStats } from './colour_match.js';

/** Mean and covariance of a 3×H×W image's colours (network units). */
export async function colourStats(lib: KernelLibrary, image: Tensor): Promise<ColourStats> {
  const n = image.shape[1] * image.shape[2];
  const partials = lib.tensor(momentPartialsShape(n), 'colour.moments');
  try {
    runOnce(lib, [colourMoments(lib, image, partials)]);
    return statsFromMoments(await lib.read(partials), n);
  } finally {
    lib.release(partials);
  }
}

/** A new tensor: `style` recoloured to the colour mean and covariance of `content` (stats given or measured). */
export async function matchStyleColours(lib: KernelLibrary, content: Tensor | ColourStats, style: Tensor, conv: InputConvention): Promise<Tensor> {
  const c = 'mean' in content ? content : await colourStats(lib, content);
  const { A, b } = colourMatchTransform(c, await colourStats(lib, style), conv);
  const out = lib.tensor(style.shape, 'style.recoloured');
  try {
    runOnce(lib, [colourAffine(lib, style, out, A, b), clampImage(lib, out, conv)]);
  } catch (e) {
    lib.release(out);
    throw e;
  }
  return out;
}
