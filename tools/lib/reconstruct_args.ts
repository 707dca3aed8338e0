/** Options of the reconstruct tools (Chromium and Dawn), parsed the same way for both. */
import { parseBytes } from '../../src/nst/tile_budget.js';
import { deepestOf, NETWORK_IDS, networkSpec } from '../../src/model/networks.js';
import { LBFGS_LR, reconstructionLr, TOOL_SIZES } from '../../src/nst/defaults.js';
import { checkTileFlag, NETWORK_HELP, networkOfFlags, WEIGHTS_HELP } from './job_args.js';
import { AUTOTUNE_MODES, type AutotuneMode } from '../../src/kernels/autotune_modes.js';
import { ADAPTER_HELP, adapterFlag, type AdapterChoice } from './dawn_adapters.js';
import { parseLayerList } from '../../src/nst/options.js';
import { CONTENT_RECONSTRUCTION_LAYERS, DEFAULT_RECONSTRUCTION, defaultReconstructionLayers, SQUEEZENET_RECONSTRUCTION_LAYERS, STYLE_RECONSTRUCTION_LAYERS, type ReconstructionMode, type ReconstructionSettings } from '../../src/job/reconstruct_targets.js';
import { Args } from './args.js';
import { readInputFile } from './input_files.js';
import { checkWritable } from './output_files.js';
import { checkWeightsSpec, chooseNetwork } from './weights_files.js';

const d = DEFAULT_RECONSTRUCTION;
export const RECONSTRUCT_HELP = `Reconstructions from white noise (Gatys et al., Fig. 1), as one labelled grid PNG.
  content: match only one layer's features, for ${CONTENT_RECONSTRUCTION_LAYERS.join(', ')};
  style:   match only the Gram matrices of ${STYLE_RECONSTRUCTION_LAYERS[0]}, then ${STYLE_RECONSTRUCTION_LAYERS[0]}+${STYLE_RECONSTRUCTION_LAYERS[1]}, … up to all five
           (texture synthesis).

usage: npm run reconstruct -- --image FILE --mode content|style --out grid.png [options]
  --image FILE            the image to reconstruct (PNG, JPEG, WebP)               [required]
  --mode content|style    which representation to match                            [required]
  --out FILE.png          the grid (written only when every reconstruction finished) [required]
  --plan                  print the plan without running: each reconstruction's tiles, GPU memory
                          (an upper bound) and time estimate; --out is not needed
  --size N                longer side of the working size in pixels (default ${TOOL_SIZES.reconstruct})
${NETWORK_HELP}
                          SqueezeNet 1.1's default layers here: content ${SQUEEZENET_RECONSTRUCTION_LAYERS.content.join(', ')}; style ${SQUEEZENET_RECONSTRUCTION_LAYERS.style.join(', ')}
  --iters N               steps per reconstruction (default ${d.iterations})
  --lr X                  Adam learning rate / L-BFGS step (default ${d.lr} for adam, ${LBFGS_LR} for lbfgs)
  --optimizer adam|lbfgs  (default ${d.optimizer})
  --pooling max|avg       (default: avg with the seeded random VGG19, else max; SqueezeNet: max only)
  --tv-weight T           total-variation weight (default: a small prior with the seeded random
                          network, 0.005 for content and 5e-8 for style; else 0)
  --layers L              layers to use instead of the defaults above, e.g. conv1_1,conv3_1
  --seed N                seed of the white-noise start (default ${d.seed})
${WEIGHTS_HELP}
  --max-gpu-memory SIZE   GPU memory budget, e.g. 1GB: larger reconstructions run in tiles
                          (the same result); --tile N forces tiles of N pixels
  --autotune MODE         kernel autotuning: auto (default; GPUs only), on, off, refresh
                          (as for stylize; tables in ~/.cache/webgpu-neural-style/autotune)
${ADAPTER_HELP}
  --verbose               show the browser's console
`;

export interface ReconstructArgs {
  image: string;
  mode: ReconstructionMode;
  /** The grid's file; null with --plan (nothing is written). */
  out: string | null;
  plan: boolean;
  size: number;
  settings: ReconstructionSettings;
  weights: string;
  weightsSeed: number;
  autotune: AutotuneMode;
  adapter: AdapterChoice;
  verbose: boolean;
}

/** Parse and check (files exist and are readable) before any GPU work. */
export function parseReconstructArgs(argv: string[]): ReconstructArgs {
  const a = new Args(argv, ['verbose', 'plan']);
  const plan = a.has('plan');
  const image = a.str('image');
  if (!image) throw new Error('--image FILE is required');
  const mode = a.choice('mode', ['content', 'style'] as const);
  if (!mode) throw new Error('--mode content|style is required');
  const out = a.str('out') ?? null;
  if (!out && !plan) throw new Error('--out FILE.png is required');
  if (out && !out.toLowerCase().endsWith('.png')) throw new Error(`--out must name a .png file, got "${out}"`);
  const optimizer = a.choice('optimizer', ['adam', 'lbfgs'] as const, d.optimizer)!;
  const layersText = a.str('layers');
  const weights = a.str('weights', 'auto')!;
  const { network, note: networkNote } = chooseNetwork(a.choice('network', NETWORK_IDS), weights, networkOfFlags(a)?.network);
  const memory = a.str('max-gpu-memory');
  const settings: ReconstructionSettings = {
    network,
    iterations: a.int('iters', d.iterations, 0, 100000)!,
    lr: a.num('lr', reconstructionLr(optimizer), (v) => v > 0 && v <= 1000, 'a number in (0, 1000]')!,
    optimizer,
    pooling: a.choice('pooling', ['max', 'avg'] as const),
    tvWeight: a.num('tv-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
    seed: a.int('seed', d.seed, 0, 2 ** 31)!,
    layers: layersText ? parseLayerList(layersText, network).map((l) => l.name) : defaultReconstructionLayers(mode, network),
    maxGpuMemory: memory === undefined ? undefined : parseBytes(memory, '--max-gpu-memory'),
    tile: a.int('tile', undefined, 1, 8192),
  };
  if (network === 'squeezenet' && settings.pooling === 'avg') throw new Error('--pooling avg: SqueezeNet pools with 3×3 max windows only (avg pooling is for VGG19)');
  if (network !== 'vgg19' && (settings.tile !== undefined || settings.maxGpuMemory !== undefined)) {
    throw new Error(`${settings.tile !== undefined ? '--tile' : '--max-gpu-memory'}: tiles are implemented for VGG19 only; ${networkSpec(network).label} runs untiled`);
  }
  if (settings.tile !== undefined) checkTileFlag(settings.tile, deepestOf(networkSpec(network), settings.layers));
  const size = a.int('size', TOOL_SIZES.reconstruct, 16, 8192)!;
  const weightsSeed = a.int('weights-seed', 1, 0, 2 ** 31)!;
  const autotune = a.choice('autotune', AUTOTUNE_MODES, 'auto')!;
  const adapter = adapterFlag(a);
  const verbose = a.has('verbose');
  a.rejectUnknown();
  readInputFile(image, 'image');
  checkWeightsSpec(weights, network);
  if (out) checkWritable(out, '--out');
  if (networkNote) process.stderr.write(`${networkNote}\n`);
  return { image, mode, out, plan, size, settings, weights, weightsSeed, autotune, adapter, verbose };
}


/** Progress printer: one updating line on a terminal, a line every 2 s otherwise; null ends it. */
export function progressLine(): (p: { index: number; count: number; label: string; step: number; iterations: number; loss: number; elapsed: number } | null) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (p) => {
    if (!p) {
      if (tty) process.stderr.write('\n');
      return;
    }
    const line = `[${p.index + 1}/${p.count}] ${p.label.padEnd(16)} step ${p.step}/${p.iterations}  loss ${p.loss.toExponential(3)}  ${p.elapsed.toFixed(0)} s`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (p.step === p.iterations || p.step === 0 || Date.now() - last > 2000) {
      process.stderr.write(`${line}\n`);
      last = Date.now();
    }
  };
}
