/** Host side of the elementwise kernels: ReLU forward/backward, axpby, fill. */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { binding, expectFits, numel, shapeStr, type Tensor } from '../tensor.js';

function sameSize(what: string, ...ts: Tensor[]): number {
  const n = numel(ts[0].shape);
  for (const t of ts) {
    if (numel(t.shape) !== n) throw new Error(`${what}: size mismatch, shapes ${ts.map((u) => shapeStr(u.shape)).join(' vs ')}`);
    expectFits(what, t);
  }
  return n;
}

export function reluForward(lib: KernelLibrary, input: Tensor, output: Tensor): Dispatch {
  const n = sameSize('reluForward', input, output);
  return lib.kernel('elementwise/relu_forward').bind({ input: binding(input), output: binding(output) }, { n }, grid1d(n, 256));
}

/** grad_input = grad_output where activation > 0 (activation: the ReLU's input or output). */
export function reluBackward(lib: KernelLibrary, activation: Tensor, gradOutput: Tensor, gradInput: Tensor): Dispatch {
  const n = sameSize('reluBackward', activation, gradOutput, gradInput);
  return lib.kernel('elementwise/relu_backward').bind(
    { activation: binding(activation), grad_output: binding(gradOutput), grad_input: binding(gradInput) },
    { n },
    grid1d(n, 256),
  );
}

/** grad ← grad masked where activation ≤ 0 (ReLU backward in place). */
export function reluBackwardInPlace(lib: KernelLibrary, activation: Tensor, grad: Tensor): Dispatch {
  const n = sameSize('reluBackwardInPlace', activation, grad, grad);
  return lib.kernel('elementwise/relu_backward_inplace').bind({ activation: binding(activation), grad: binding(grad) }, { n }, grid1d(n, 256));
}

/** y = a·x + b·y (b = 0: y is overwritten without being read). */
export function axpby(lib: KernelLibrary, a: number, x: Tensor, b: number, y: Tensor): Dispatch {
  const n = sameSize('axpby', x, y);
  return lib.kernel('elementwise/axpby').bind({ x: binding(x), y: binding(y) }, { n, a, b }, grid1d(n, 256));
}

export function fill(lib: KernelLibrary, y: Tensor, value: number): Dispatch {
  const n = numel(y.shape);
  expectFits('fill', y);
  return lib.kernel('elementwise/fill').bind({ y: binding(y) }, { n, value }, grid1d(n, 256));
}
