/**
 * Host side of 2×2/2 max and average pooling. Odd sizes: output is floor(H/2)×floor(W/2), the
 * trailing row/column is dropped and receives zero gradient (PyTorch's ceil_mode=False).
 */
import { grid1d, type Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { expectShape, type Tensor } from './tensor.js';

export type PoolKind = 'max' | 'avg';

export function pooledShape(shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3) throw new Error(`pool: expected a C×H×W tensor, got [${shape.join('×')}]`);
  const [C, H, W] = shape;
  if (H < 2 || W < 2) throw new Error(`pool: a ${H}×${W} map is too small for 2×2 pooling`);
  return [C, Math.floor(H / 2), Math.floor(W / 2)];
}

export function poolForward(lib: KernelLibrary, kind: PoolKind, input: Tensor, output: Tensor): Dispatch {
  const [C, Ho, Wo] = pooledShape(input.shape);
  expectShape(`${kind}pool forward: output`, output, [C, Ho, Wo]);
  const [, H, W] = input.shape;
  return lib.kernel(kind === 'max' ? 'pool/max_forward' : 'pool/avg_forward').bind(
    { input: input.buffer, output: output.buffer },
    { C, H, W },
    grid1d(C * Ho * Wo, 256),
  );
}

/** grad_input (C×H×W) from grad_output (C×Ho×Wo); max pooling also needs the forward input. */
export function poolBackward(lib: KernelLibrary, kind: PoolKind, input: Tensor, gradOutput: Tensor, gradInput: Tensor): Dispatch {
  const [C, Ho, Wo] = pooledShape(input.shape);
  const [, H, W] = input.shape;
  expectShape(`${kind}pool backward: grad_output`, gradOutput, [C, Ho, Wo]);
  expectShape(`${kind}pool backward: grad_input`, gradInput, [C, H, W]);
  if (kind === 'max') {
    return lib.kernel('pool/max_backward').bind(
      { input: input.buffer, grad_output: gradOutput.buffer, grad_input: gradInput.buffer },
      { C, H, W },
      grid1d(C * H * W, 256),
    );
  }
  return lib.kernel('pool/avg_backward').bind({ grad_output: gradOutput.buffer, grad_input: gradInput.buffer }, { C, H, W }, grid1d(C * H * W, 256));
}
