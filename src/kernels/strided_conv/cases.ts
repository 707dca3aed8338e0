/**
 * The strided conv's runs (harness.ts): one direction at a plan's shape through strided_conv.ts.
 * Inputs: `weight` (O×C×K×K), `bias` (O), and `input` (forward) or `grad_output` (backward);
 * output `output` or `grad_input`.
 */
import { opRun, type Inputs, type OpRun } from '../harness.js';
import type { KernelLibrary } from '../library.js';
import type { OpPlan } from '../registry.js';
import { stridedConvBackwardInput, stridedConvForward, stridedConvShape } from './strided_conv.js';

export function stridedConvRun(lib: KernelLibrary, plan: OpPlan<'strided_conv_forward' | 'strided_conv_backward_input'>, inputs: Inputs, relu = true): OpRun {
  const s = plan.shape;
  const [Ho, Wo] = stridedConvShape(s.H, s.W, s.K, s.stride, s.pad);
  return opRun(lib, (tensors) => {
    const layer = { weight: [s.O, s.C, s.K, s.K], bias: [s.O] };
    if (plan.kind === 'strided_conv_forward') {
      const t = tensors({ ...layer, input: [s.C, s.H, s.W] }, { output: [s.O, Ho, Wo] });
      return { dispatches: [stridedConvForward(lib, t.input, { ...s, weight: t.weight, bias: t.bias }, t.output, relu, plan as OpPlan<'strided_conv_forward'>)], outputs: ['output'] };
    }
    const t = tensors({ ...layer, grad_output: [s.O, Ho, Wo] }, { grad_input: [s.C, s.H, s.W] });
    return { dispatches: [stridedConvBackwardInput(lib, t.grad_output, { ...s, weight: t.weight, bias: t.bias }, t.grad_input, plan as OpPlan<'strided_conv_backward_input'>)], outputs: ['grad_input'] };
  }, inputs);
}
