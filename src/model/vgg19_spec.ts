/**
 * VGG19's convolutional part (Simonyan & Zisserman): 16 3×3 convs with ReLU, 2×2 pooling after
 * conv1_2, conv2_2, conv3_4, conv4_4. Following Gatys et al., a layer name such as conv4_2 refers
 * to that layer's rectified output (relu4_2).
 */
export interface ConvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  /** Index of this conv in torchvision's `features` Sequential (features.N.weight). */
  torchIndex: number;
  /** A 2×2 pool follows this layer. */
  poolAfter: boolean;
}

const BLOCKS: [number, number][] = [
  [2, 64],
  [2, 128],
  [4, 256],
  [4, 512],
  [4, 512],
];

export const VGG19_CONVS: ConvSpec[] = (() => {
  const out: ConvSpec[] = [];
  let inC = 3;
  let torchIndex = 0;
  BLOCKS.forEach(([n, c], b) => {
    for (let i = 0; i < n; i++) {
      out.push({ name: `conv${b + 1}_${i + 1}`, inChannels: inC, outChannels: c, torchIndex, poolAfter: i === n - 1 && b < 4 });
      inC = c;
      torchIndex += 2; // conv, relu
    }
    torchIndex += 1; // pool
  });
  return out;
})();

export const VGG19_LAYER_NAMES = VGG19_CONVS.map((c) => c.name);

export function convSpec(name: string): ConvSpec {
  const s = VGG19_CONVS.find((c) => c.name === name);
  if (!s) throw new Error(`unknown VGG19 layer "${name}" (known: ${VGG19_LAYER_NAMES.join(', ')})`);
  return s;
}

/** The convs needed to compute up to `deepest` (inclusive). */
export function convsUpTo(deepest: string): ConvSpec[] {
  const i = VGG19_CONVS.indexOf(convSpec(deepest));
  return VGG19_CONVS.slice(0, i + 1);
}

/** Deepest of several layer names. */
export function deepestLayer(names: string[]): string {
  if (names.length === 0) throw new Error('no layers given');
  return names.map(convSpec).reduce((a, b) => (VGG19_CONVS.indexOf(a) > VGG19_CONVS.indexOf(b) ? a : b)).name;
}

/** Downsampling of a layer's map relative to the image (2^pools before it). */
export function layerScale(name: string): number {
  const i = VGG19_CONVS.findIndex((c) => c.name === name);
  return 2 ** VGG19_CONVS.slice(0, i).filter((c) => c.poolAfter).length;
}
