/**
 * From a state dict to our NetworkWeights: which network and naming the keys follow (VGG19:
 * torchvision's, timm's or Gatys' vgg_conv.pth; SqueezeNet 1.1: torchvision's squeezenet1_1),
 * which tensors a run up to a layer needs, and the whole-file converter.
 */
import { CAFFE_CONVENTION, TORCHVISION_CONVENTION, type InputConvention } from '../kernels/image/image.js';
import { NETWORK_IDS, NETWORKS, networkSpec, paramConvsUpTo, VGG19, type NetworkId, type NetworkSpec, type ParamConv } from '../model/networks.js';
import { assembleLayers, checkFinite, WeightsError, type NetworkWeights } from '../model/weights.js';
import { openTorchFile } from './torch_pth.js';

/** One way a state dict names a network's conv tensors (each may also carry a `module.` prefix). */
interface Naming {
  /** The file's name for a conv's tensors, without ".weight"/".bias". */
  key(c: ParamConv): string;
  /** The input convention weights named this way expect. */
  input: InputConvention;
  /** For messages. */
  example: string;
}

const NAMINGS: Record<NetworkId, readonly Naming[]> = {
  vgg19: [
    // torchvision's vgg19 and timm's vgg19.tv_in1k: RGB in [0,1], ImageNet mean/std
    { key: (c) => c.torchKey, input: TORCHVISION_CONVENTION, example: `torchvision's "features.N.weight"` },
    // Gatys et al.'s normalised vgg_conv.pth: Caffe's convention, BGR in [0,255] minus the mean pixel
    { key: (c) => c.name, input: CAFFE_CONVENTION, example: `Gatys' "conv1_1.weight"` },
  ],
  squeezenet: [
    // torchvision's squeezenet1_1 (features.0, features.3.squeeze, …, classifier.1 ignored)
    { key: (c) => c.torchKey, input: TORCHVISION_CONVENTION, example: `torchvision's "features.0.weight", "features.3.squeeze.weight"` },
    // our own names (files we write from torchvision's weights): the same convention
    { key: (c) => c.name, input: TORCHVISION_CONVENTION, example: `ours, "conv1.weight", "fire2/squeeze.weight"` },
  ],
};

const keyIn = (sd: Map<string, unknown>, name: string): string | undefined => (sd.has(name) ? name : sd.has(`module.${name}`) ? `module.${name}` : undefined);

/** The naming of `spec` that finds the most of its tensors in `sd` (the first on a tie), and how many. */
function bestNaming(sd: Map<string, unknown>, spec: NetworkSpec): { naming: Naming; count: number } {
  let best = { naming: NAMINGS[spec.id][0], count: -1 };
  for (const naming of NAMINGS[spec.id]) {
    let count = 0;
    for (const c of spec.convs) for (const suffix of ['weight', 'bias']) if (keyIn(sd, `${naming.key(c)}.${suffix}`)) count++;
    if (count > best.count) best = { naming, count };
  }
  return best;
}

/**
 * Which network's conv tensors a state dict holds, by its keys: the network whose naming finds
 * the most of them (null when none does). Keys alone decide: VGG19's conv1_1 and SqueezeNet's
 * conv1 are both torchvision's features.0 with the same shape, so a file holding only that conv
 * counts as either (the one asked for wins).
 */
export function detectNetwork(sd: Map<string, unknown>): NetworkId | null {
  let found: NetworkId | null = null, most = 0;
  for (const id of NETWORK_IDS) {
    const { count } = bestNaming(sd, NETWORKS[id]);
    if (count > most) [found, most] = [id, count];
  }
  return found;
}

/** The file holds another network's weights than the one asked for; `found` says which. */
export class WrongNetworkError extends WeightsError {
  constructor(file: string, readonly found: NetworkId, readonly wanted: NetworkId) {
    super(file, `holds ${NETWORKS[found].label} weights, not ${NETWORKS[wanted].label}'s; use --network ${found}`);
    this.name = 'WrongNetworkError';
  }
}

/**
 * Which tensors of a state dict (torch or safetensors; anything with a shape) hold the network's
 * conv layers, and the input convention their naming implies. Namings:
 *  - VGG19: torchvision's and timm's `features.N.weight` (features.N.bias), or Gatys'
 *    `conv1_1.weight` (Caffe's convention);
 *  - SqueezeNet 1.1: torchvision's `features.0.weight`, `features.3.squeeze.weight`,
 *    `features.3.expand1x1.weight`, … (the classifier is ignored), or our names
 *    `conv1.weight`, `fire2/squeeze.weight`, …;
 * either may carry a `module.` prefix. A file holding the other network's weights is named as
 * such (WrongNetworkError). Shapes are checked here (the tensor is named in errors).
 * Returns our name (`conv1_1.weight`, `fire2/squeeze.weight`) → the file's key, in the network's
 * order, stopping after the convs of layer `upTo` (default: all).
 */
export function planTensors(
  sd: Map<string, { shape: number[] }>,
  file: string,
  spec: NetworkSpec = VGG19,
  upTo?: string,
): { keys: Map<string, string>; input: InputConvention } {
  const convs = upTo === undefined ? spec.convs : paramConvsUpTo(spec, upTo);
  const mine = bestNaming(sd, spec);
  for (const id of NETWORK_IDS) if (id !== spec.id && bestNaming(sd, NETWORKS[id]).count > mine.count) throw new WrongNetworkError(file, id, spec.id);
  const keys = new Map<string, string>();
  for (const c of convs) {
    for (const [suffix, shape] of [['weight', [c.O, c.C, c.K, c.K]], ['bias', [c.O]]] as const) {
      const key = keyIn(sd, `${mine.naming.key(c)}.${suffix}`);
      if (!key) continue;
      const t = sd.get(key)!;
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new WeightsError(file, `tensor "${key}" (${c.name}.${suffix}) has shape [${t.shape}] but ${spec.label} needs [${shape}]`);
      }
      keys.set(`${c.name}.${suffix}`, key);
    }
  }
  if (keys.size === 0) {
    const seen = [...sd.keys()].slice(0, 6).join(', ');
    throw new WeightsError(file, `no ${spec.label} conv tensors found (keys: ${seen || 'none'}…); expected ${NAMINGS[spec.id].map((n) => n.example).join(' or ')}`);
  }
  return { keys, input: mine.naming.input };
}

/**
 * A state dict in a .pth file (either torch.save format) → our weights of `network` (see
 * planTensors for the namings; VGG19's Gatys naming means Caffe's input convention, and its
 * weights are rescaled so that each layer's mean activation over ImageNet is 1, so loss weights
 * tuned for torchvision need adjusting). A state dict holding only the first few convs gives
 * those layers only; a file of the other network is refused, naming it.
 */
export function convertPth(bytes: Uint8Array, file: string, network: NetworkId): NetworkWeights {
  const spec = networkSpec(network);
  const torch = openTorchFile(bytes, file);
  const sd = torch.stateDict();
  const plan = planTensors(sd, file, spec);
  const byName = new Map<string, Float32Array>();
  for (const [ours, key] of plan.keys) {
    const a = torch.float32(key, sd.get(key)!);
    checkFinite(file, key, a);
    byName.set(ours, a);
  }
  return { network: spec.id, source: file, input: plan.input, layers: assembleLayers(file, byName, spec) };
}
