/// <reference types="@webgpu/types" preserve="true" />
/**
 * webgpu-neural-style: Gatys et al.'s neural style transfer on WebGPU, from scratch (docs/library.md).
 *
 *   const result = await stylize({ content, style });   // RGBA in, RGBA out
 *
 * `stylize` and `reconstruct` run one call on a fresh session; `createStylizer` keeps the device,
 * compiled kernels, kernel choices and weights between calls (video frames, a gallery of styles).
 */
import { checkStylize, checkStylizerOptions, Stylizer, type ReconstructResult, type SessionReconstructOptions, type SessionStylizeOptions, type StylizeResult, type StylizerOptions } from './api/stylizer.js';

export { Stylizer };
export type { RgbaResult, StylizeProgress, StylizeResult, ReconstructResult, StylizerOptions, SessionStylizeOptions, SessionReconstructOptions, WeightsOption, RunControl, TemporalInput } from './api/stylizer.js';
export type { Image, ImageInput, StyleInput, BrowserImage } from './api/inputs.js';
export type { TransferOptions, Layers } from './api/options.js';
export { LIBRARY_DEFAULT_SIZE } from './api/options.js';
export type { GpuOptions } from './api/gpu.js';
import { OptionError } from './api/errors.js';
export { OptionError };
export { loadWeights, weightsFromRaw, type LoadWeightsOptions } from './api/weights.js';
export { embeddedSqueezeNet } from './api/embedded_weights.js';
export { WebGpuUnavailableError, DeviceLostError } from './kernels/context.js';
export type { LossTerms } from './nst/loss_terms.js';
export type { NetworkWeights } from './model/weights.js';
export type { NetworkId } from './model/networks.js';
export type { ReconstructionProgress, ReconstructionMode } from './job/reconstruct.js';

/** A session on one GPU device: see Stylizer. Destroy it when done (frees the GPU memory, and the device it made). */
export function createStylizer(options: StylizerOptions = {}): Promise<Stylizer> {
  return Stylizer.create(options);
}

/** The options of `stylize`: a session's (gpu, device, network, weights, autotune) and a call's. */
export type StylizeOptions = StylizerOptions & SessionStylizeOptions;
export type ReconstructOptions = StylizerOptions & SessionReconstructOptions;

function split<T extends object>(o: T): [StylizerOptions, Omit<T, keyof StylizerOptions>] {
  if (!o || typeof o !== 'object') throw new OptionError('options', 'must be an object such as { content, style }');
  const { gpu, device, adapter, network, weights, autotune, ...call } = o as StylizerOptions & Record<string, unknown>;
  const session = Object.fromEntries(Object.entries({ gpu, device, adapter, network, weights, autotune }).filter(([, v]) => v !== undefined));
  return [session, call as Omit<T, keyof StylizerOptions>];
}

/** Stylize `content` after `style` on a session of its own (made and destroyed in the call). */
export async function stylize(options: StylizeOptions): Promise<StylizeResult> {
  const [session, call] = split(options);
  checkStylize(call as SessionStylizeOptions, checkStylizerOptions(session)); // before the GPU is opened
  const s = await Stylizer.create(session);
  try {
    return await s.stylize(call as SessionStylizeOptions);
  } finally {
    s.destroy();
  }
}

/** Content or style reconstructions from noise (Gatys et al., Fig. 1), on a session of its own. */
export async function reconstruct(options: ReconstructOptions): Promise<ReconstructResult> {
  const [session, call] = split(options);
  const s = await Stylizer.create(session);
  try {
    return await s.reconstruct(call as SessionReconstructOptions);
  } finally {
    s.destroy();
  }
}
