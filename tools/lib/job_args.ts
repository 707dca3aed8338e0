/** The options shared by `stylize` and `gradient`: images, weights, loss settings. */
import { AUTOTUNE_MODES } from '../../src/kernels/autotune_modes.js';
import { ADAPTER_HELP, adapterFlag } from './dawn_adapters.js';
import { COLOUR_MODES, jobDeepestLayer, parseLayerList, resolveOptions, type StyleTransferOptions } from '../../src/nst/options.js';
import { networkDefaults, RANDOM_NETWORK_DEFAULTS, RANDOM_SQUEEZENET_DEFAULTS, DEFAULT_OPTIONS, JOB_DEFAULTS, LBFGS_LR, TOOL_SIZES } from '../../src/nst/defaults.js';
import { NETWORK_IDS, NETWORKS, type NetworkId } from '../../src/model/networks.js';
import { layerScale } from '../../src/model/vgg19_spec.js';
import { parseBytes } from '../../src/nst/tile_budget.js';
import { COARSE_ANCHOR, defaultCoarseAnchor, FINE_STEP_SHARE, MAX_SCALES, STRUCTURE_SIDE } from '../../src/job/schedule.js';
import { MAX_SIDE } from '../../src/nst/device_limits.js';
import type { JobFiles } from './engine_session.js';
import type { Args } from './args.js';
import { chooseNetwork } from './weights_files.js';

/** The --weights and --weights-seed lines of every tool's help. */
export const WEIGHTS_HELP = `  --weights W             auto (default): the network's cached pretrained weights; else, for
                          SqueezeNet, its embedded pretrained ones (DeepScale's ImageNet weights,
                          in the repository: no download), for VGG19 its seeded random ones.
                          embedded: those SqueezeNet weights. random: the seeded random network.
                          torchvision or hf: pretrained VGG19, downloaded once (only the needed
                          tensors, ~52 MB, kept in ~/.cache/webgpu-neural-style); with --network
                          squeezenet torchvision's squeezenet1_1 (~3 MB; no hf). Or an http(s)
                          URL of a .pth/.safetensors, or a file: our .json, a .pth, a .safetensors
  --weights-seed N        seed of the random network (default ${JOB_DEFAULTS.weightsSeed})`;

/** 1e4 rather than 10000 in help texts. */
const num = (v: number | undefined) => (v !== undefined && Math.abs(v) >= 1e4 ? v.toExponential().replace('e+', 'e') : String(v));
const layerList = (ls: { name: string; weight: number }[]) => ls.map((l) => (l.weight === 1 ? l.name : `${l.name}:${num(l.weight)}`)).join(',');
const V = networkDefaults('vgg19');
const S = networkDefaults('squeezenet');

/** The --network line of every tool's help (the choice made when it is absent). */
export const NETWORK_HELP = `  --network vgg19|squeezenet   feature network. Without it: the network whose layer names are
                          given (VGG19 for --pooling avg, --tile, --max-gpu-memory, and for
                          --weights other than auto and embedded); else VGG19, the paper's, if
                          pretrained VGG19 is cached (npm run weights -- download); else
                          SqueezeNet 1.1 with its embedded pretrained weights (~60× fewer FLOPs
                          per step than VGG19; layers conv1, fire2 … fire9)`;

/** The job options' help lines; `tool` sets the size default shown. */
export const jobHelp = (tool: 'stylize' | 'gradient') => `
  --content FILE          content image (PNG, JPEG, WebP)                         [required]
  --style FILE[,FILE…]    style image(s); blend with --style-blend 0.7,0.3         [required]
  --style-blend W[,W…]    blend weights of the style images (default equal)
  --style-scale S         style images resized to S × size (default ${JOB_DEFAULTS.styleScale})
  --size N|full           longer side of the output in pixels (default ${TOOL_SIZES[tool]}); full: the content
                          image's own (up to ${MAX_SIDE} px for VGG19, in tiles where memory is short;
                          SqueezeNet up to what the GPU's buffers hold untiled)
${NETWORK_HELP}
  Loss settings: VGG19's defaults first, SqueezeNet's in [brackets]
  --content-weight A      alpha (default ${num(V.contentWeight)}) [${num(S.contentWeight)}]
  --style-weight B        beta (default ${num(V.styleWeight)}; ${num(RANDOM_NETWORK_DEFAULTS.stylize.styleWeight)} with the seeded random VGG19) [${num(S.styleWeight)}]
  --tv-weight T           total-variation weight (default ${num(V.tvWeight)}; ${num(RANDOM_NETWORK_DEFAULTS.stylize.tvWeight)} with the seeded random
                          VGG19) [${num(S.tvWeight)}; ${num(RANDOM_SQUEEZENET_DEFAULTS.stylize.tvWeight)} with the seeded random SqueezeNet]
  --content-layers L      e.g. conv4_2 or conv3_2:0.5,conv4_2:1 (default ${layerList(V.contentLayers)})
                          [${layerList(S.contentLayers)}]
  --style-layers L        default ${layerList(V.styleLayers)} (equal weights)
                          [${layerList(S.styleLayers)}]
  --init noise|content|style   initial image (default ${V.init})
  --optimizer adam|lbfgs  (default ${V.optimizer})
  --lr X                  Adam learning rate / L-BFGS step (default ${V.lr} [${S.lr}] for adam, ${LBFGS_LR} for lbfgs)
  --iters N[,N…]          optimisation steps (default ${V.iterations} [${S.iterations}]); with several scales, one
                          number for the coarsest (finer scales get ${FINE_STEP_SHARE.slice(1, 3).map((f) => `${f}×`).join(', ')} … of it) or
                          one per scale, coarsest first (e.g. 100,60,30: that many scales)
  --scales K|auto         coarse-to-fine: optimise at size/2^(K-1), upsample, refine at twice
                          the size, … up to --size. auto (default): one scale up to ~1.4× the
                          size where the network sees a painting's shapes (${STRUCTURE_SIDE.vgg19} px VGG19, ${STRUCTURE_SIDE.squeezenet} px
                          SqueezeNet), one more each time the size doubles; 1 = single scale
  --coarse-anchor X       at each finer scale the content targets mix the photo with the
                          upsampled coarser result: 0 = the photo only, 1 = the result only
                          (default ${COARSE_ANCHOR}; past two finer scales ${defaultCoarseAnchor(3).toFixed(2)} with three,
                          ${defaultCoarseAnchor(4).toFixed(2)} with four, as the photo comes back at each)
  --style-masks M[,M…]    one mask per --style image, resized to the content: white = that
                          style applies, grey = partly, black = not; pixels no mask covers get
                          no style (content and TV only). Untiled runs, no --style-blend
  --original-colors [MODE]   keep the content's colours: luminance (alone: the default) transfers
                          only the result's luminance (YIQ); histogram recolours each style image
                          to the content's colour mean and covariance before the transfer
  --seed N                seed for noise init (default ${V.seed})
${WEIGHTS_HELP}
  --pooling max|avg       (default ${V.pooling}; ${RANDOM_NETWORK_DEFAULTS.stylize.pooling} with the seeded random VGG19) [max only]
  --max-gpu-memory SIZE   GPU memory budget with a unit (1GB, 512MB, 1.5GiB; MB = 10⁶ bytes,
                          MiB = 2²⁰): a run that would need more is
                          computed in tiles (exactly the same result) of the largest size that
                          fits; says the smallest workable budget when asked for less. Without
                          it, tiling turns on only where the GPU's buffers are too small
  --tile N                force tiles of N pixels (a multiple of 16 with the default layers;
                          a tile whose window covers the image runs untiled)
  --autotune MODE         kernel autotuning: auto (default: time each kernel version on a GPU
                          the first time a layer shape is seen, keep the fastest in
                          $XDG_CACHE_HOME or ~/.cache: webgpu-neural-style/autotune; software adapters use the fixed
                          table), on (also on software adapters), off, refresh (measure again)
${ADAPTER_HELP}
  --verbose               show the browser's console, and stack traces with errors`;

/**
 * The network that the flags imply, for a run that names none: layer names of one network
 * (conv4_2 is VGG19's, fire3 SqueezeNet's), or a flag only VGG19 has (--pooling avg, --tile,
 * --max-gpu-memory); undefined if the flags say nothing. `flag` says which flag decided.
 */
export function networkOfFlags(a: Args, layerFlags = ['content-layers', 'style-layers', 'layers']): { network: NetworkId; flag: string } | undefined {
  for (const f of layerFlags) {
    for (const n of (a.str(f) ?? '').split(',').map((p) => p.trim().split(':')[0])) {
      const net = NETWORK_IDS.find((id) => NETWORKS[id].layerNames.includes(n));
      if (net) return { network: net, flag: `--${f} ${n}` };
    }
  }
  if (a.str('pooling') === 'avg') return { network: 'vgg19', flag: '--pooling avg' };
  for (const f of ['tile', 'max-gpu-memory']) if (a.str(f) !== undefined) return { network: 'vgg19', flag: `--${f}` };
  return undefined;
}

/** Flags of the job options that take no value (--original-colors may take one or none: Args.optionalChoice). */
export const JOB_FLAGS: string[] = [];

/** The job options of `tool` from its arguments (defaults: src/nst/defaults.ts). */
export function parseJob(a: Args, tool: 'stylize' | 'gradient'): JobFiles {
  // the gradient tool evaluates once at the initial image: no steps
  const defaults = { size: TOOL_SIZES[tool], iters: tool === 'gradient' ? 0 : undefined };
  const content = a.str('content');
  const style = a.str('style');
  if (!content) throw new Error('--content FILE is required');
  if (!style) throw new Error('--style FILE is required');
  const stylePaths = style.split(',').filter(Boolean);
  const maskText = a.str('style-masks');
  const maskPaths = maskText?.split(',').filter(Boolean);
  if (maskPaths && maskPaths.length !== stylePaths.length) throw new Error(`--style-masks needs one mask per --style image (${stylePaths.length}), got ${maskPaths.length}`);
  const blendText = a.str('style-blend');
  if (maskPaths && blendText) throw new Error('--style-blend does not apply with --style-masks: each mask says where its style applies');
  const blends = blendText ? blendText.split(',').map(Number) : stylePaths.map(() => 1);
  if (blends.length !== stylePaths.length || blends.some((b) => !Number.isFinite(b) || b < 0)) {
    throw new Error(`--style-blend needs ${stylePaths.length} non-negative number(s), got "${blendText}"`);
  }
  const optimizer = a.choice('optimizer', ['adam', 'lbfgs'] as const, DEFAULT_OPTIONS.optimizer)!;
  const weights = a.str('weights', 'auto')!;
  const { network, note: networkNote } = chooseNetwork(a.choice('network', NETWORK_IDS), weights, networkOfFlags(a)?.network);
  const options: Partial<StyleTransferOptions> = {
    network,
    contentWeight: a.num('content-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
    styleWeight: a.num('style-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
    tvWeight: a.num('tv-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
    init: a.choice('init', ['noise', 'content', 'style'] as const),
    optimizer,
    // unset: the optimiser's step for the network, filled in by the job (defaults.ts: jobDefaults)
    lr: a.num('lr', undefined, (v) => v > 0 && v <= 1000, 'a number in (0, 1000]'),
    originalColors: a.optionalChoice('original-colors', COLOUR_MODES, 'luminance'),
    seed: a.int('seed', undefined, 0, 2 ** 31),
    pooling: a.choice('pooling', ['max', 'avg'] as const),
  };
  const scales = parseScales(a.str('scales'), tool);
  const memory = a.str('max-gpu-memory');
  const itersText = a.str('iters', defaults.iters === undefined ? undefined : String(defaults.iters));
  const iters = itersText?.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
  if (iters && iters.some((n) => !Number.isInteger(n) || n < 0 || n > 100000)) {
    throw new Error(`--iters must be an integer in [0, 100000], or one per scale separated by commas, got "${itersText}"`);
  }
  if (iters && iters.length > 1 && scales !== 'auto' && iters.length !== scales) {
    throw new Error(`--iters has ${iters.length} entries for --scales ${scales}: give one number, or one per scale (coarsest first)`);
  }
  if (iters && iters.length > MAX_SCALES) throw new Error(`--iters has ${iters.length} entries; at most ${MAX_SCALES} scales`);
  if (iters?.length === 1) options.iterations = iters[0];
  const cl = a.str('content-layers');
  if (cl !== undefined) options.contentLayers = parseLayerList(cl, network);
  const sl = a.str('style-layers');
  if (sl !== undefined) options.styleLayers = parseLayerList(sl, network);
  const tile = a.int('tile', undefined, 1, 8192);
  if (tile !== undefined && network !== 'vgg19') throw new Error('--tile: tiles are implemented for VGG19 only; SqueezeNet runs untiled');
  if (memory !== undefined && network !== 'vgg19') throw new Error('--max-gpu-memory: a budget tiles VGG19 runs only; SqueezeNet runs untiled and needs far less memory');
  if (tile !== undefined) checkTileFlag(tile, jobDeepestLayer(options));
  if (maskPaths && (tile !== undefined || memory !== undefined)) throw new Error(`--style-masks runs untiled: leave out ${tile !== undefined ? '--tile' : '--max-gpu-memory'}`);
  resolveOptions(options); // every option checked before a browser starts (the job resolves them, once, in prepareJob)
  return {
    content,
    styles: stylePaths.map((path, i) => ({ path, blend: blends[i], ...(maskPaths ? { mask: maskPaths[i] } : {}) })),
    weights,
    networkNote,
    adapter: adapterFlag(a),
    weightsSeed: a.int('weights-seed', JOB_DEFAULTS.weightsSeed, 0, 2 ** 31)!,
    config: {
      size: parseSize(a.str('size'), defaults.size),
      styleScale: a.num('style-scale', JOB_DEFAULTS.styleScale, (v) => v > 0 && v <= 10, 'a number in (0, 10]')!,
      options,
      reportEvery: 1,
      saveEvery: 0,
      scales,
      scaleIterations: iters,
      coarseAnchor: a.num('coarse-anchor', undefined, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
      autotune: a.choice('autotune', AUTOTUNE_MODES, 'auto'),
      maxGpuMemory: memory === undefined ? undefined : parseBytes(memory, '--max-gpu-memory'),
      tile,
    },
  };
}

/** --size: a whole number of pixels in [16, MAX_SIDE], or full (the content's own size, resolved by the job). */
function parseSize(text: string | undefined, fallback: number): number | 'full' {
  if (text === undefined) return fallback;
  if (text === 'full') return 'full';
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 16 || n > MAX_SIDE) throw new Error(`--size must be an integer in [16, ${MAX_SIDE}] or full, got "${text}"`);
  return n;
}

/** --scales: an integer in [1, MAX_SCALES] or auto (stylize's default; the gradient tool evaluates at one scale). */
function parseScales(text: string | undefined, tool: 'stylize' | 'gradient'): number | 'auto' {
  if (text === undefined) return tool === 'gradient' ? 1 : JOB_DEFAULTS.scales;
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_SCALES) throw new Error(`--scales must be an integer in [1, ${MAX_SCALES}] or auto, got "${text}"`);
  return n;
}

/** --tile must line up with the deepest layer's pooling (checked again with the image size in the job). */
export function checkTileFlag(tile: number, deepest: string): void {
  const align = layerScale(deepest);
  if (tile % align !== 0) throw new Error(`--tile must be a multiple of ${align} with these layers (the downsampling of ${deepest}, the deepest one used), got ${tile}`);
}
