/**
 * Host side of colour matching's kernels: a 3-channel image's moments, summed per workgroup on
 * the GPU (image/colour_moments), and one colour transform applied to every pixel
 * (image/colour_affine). The transform itself is made on the host (src/nst/colour_match.ts).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectShape, shapeStr, type Tensor } from '../tensor.js';

/** Most workgroups (and so partial sums) of one moments pass. */
export const MOMENT_GROUPS = 256;

function threeChannels(what: string, t: Tensor): number {
  if (t.shape.length !== 3 || t.shape[0] !== 3) throw new Error(`${what}: expected a 3×H×W image, got ${shapeStr(t.shape)}`);
  return t.shape[1] * t.shape[2];
}

/** The partials tensor's shape for an image of n pixels: [G, 9]. */
export function momentPartialsShape(n: number): [number, number] {
  return [Math.min(MOMENT_GROUPS, Math.ceil(n / 256)), 9];
}

/** partials (G×9, momentPartialsShape) = per-chunk sums of (x0, x1, x2, x0², x0x1, x0x2, x1², x1x2, x2²). */
export function colourMoments(lib: KernelLibrary, image: Tensor, partials: Tensor): Dispatch {
  const n = threeChannels('colourMoments: image', image);
  const [G] = momentPartialsShape(n);
  expectShape('colourMoments: partials', partials, [G, 9]);
  return lib.kernel('image/colour_moments').bind({ image: image.buffer, partials: partials.buffer }, { n, chunk: Math.ceil(n / G) }, [G, 1, 1]);
}

/** out = A·x + b per pixel (A row-major 3×3), both 3×H×W. */
export function colourAffine(lib: KernelLibrary, x: Tensor, out: Tensor, A: readonly number[], b: readonly number[]): Dispatch {
  const n = threeChannels('colourAffine: x', x);
  expectShape('colourAffine: out', out, x.shape);
  if (A.length !== 9 || b.length !== 3 || ![...A, ...b].every(Number.isFinite)) throw new Error('colourAffine: A must be 9 finite numbers and b 3');
  if (out.buffer === x.buffer) throw new Error('colourAffine: out must be another buffer than x');
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = A;
  return lib.kernel('image/colour_affine').bind({ x: x.buffer, out: out.buffer }, { n, a00, a01, a02, a10, a11, a12, a20, a21, a22, b0: b[0], b1: b[1], b2: b[2] }, grid1d(n, 256));
}
