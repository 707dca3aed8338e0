/** Every WGSL kernel's source, by file name (shaders/NAME.wgsl). */
import adam from '../../shaders/adam.wgsl';
import avgpool2X2Backward from '../../shaders/avgpool2x2_backward.wgsl';
import avgpool2X2Forward from '../../shaders/avgpool2x2_forward.wgsl';
import axpby from '../../shaders/axpby.wgsl';
import clampImage from '../../shaders/clamp_image.wgsl';
import conv2DBackwardBias from '../../shaders/conv2d_backward_bias.wgsl';
import conv2DBackwardInput from '../../shaders/conv2d_backward_input.wgsl';
import conv2DBackwardWeight from '../../shaders/conv2d_backward_weight.wgsl';
import conv2DForward from '../../shaders/conv2d_forward.wgsl';
import conv2DRepackWeights from '../../shaders/conv2d_repack_weights.wgsl';
import conv2DSumSlices from '../../shaders/conv2d_sum_slices.wgsl';
import fill from '../../shaders/fill.wgsl';
import gramBackward from '../../shaders/gram_backward.wgsl';
import gramForward from '../../shaders/gram_forward.wgsl';
import gramSumSlices from '../../shaders/gram_sum_slices.wgsl';
import matmul from '../../shaders/matmul.wgsl';
import maxpool2X2Backward from '../../shaders/maxpool2x2_backward.wgsl';
import maxpool2X2Forward from '../../shaders/maxpool2x2_forward.wgsl';
import postprocess from '../../shaders/postprocess.wgsl';
import preprocess from '../../shaders/preprocess.wgsl';
import reduceSum from '../../shaders/reduce_sum.wgsl';
import reluBackward from '../../shaders/relu_backward.wgsl';
import reluForward from '../../shaders/relu_forward.wgsl';
import squaredError from '../../shaders/squared_error.wgsl';
import tvLoss from '../../shaders/tv_loss.wgsl';

export const SHADERS = {
  adam: adam,
  avgpool2x2_backward: avgpool2X2Backward,
  avgpool2x2_forward: avgpool2X2Forward,
  axpby: axpby,
  clamp_image: clampImage,
  conv2d_backward_bias: conv2DBackwardBias,
  conv2d_backward_input: conv2DBackwardInput,
  conv2d_backward_weight: conv2DBackwardWeight,
  conv2d_forward: conv2DForward,
  conv2d_repack_weights: conv2DRepackWeights,
  conv2d_sum_slices: conv2DSumSlices,
  fill: fill,
  gram_backward: gramBackward,
  gram_forward: gramForward,
  gram_sum_slices: gramSumSlices,
  matmul: matmul,
  maxpool2x2_backward: maxpool2X2Backward,
  maxpool2x2_forward: maxpool2X2Forward,
  postprocess: postprocess,
  preprocess: preprocess,
  reduce_sum: reduceSum,
  relu_backward: reluBackward,
  relu_forward: reluForward,
  squared_error: squaredError,
  tv_loss: tvLoss,
} as const;

export type KernelName = keyof typeof SHADERS;
export const KERNEL_NAMES = Object.keys(SHADERS) as KernelName[];
