/** Benchmark result types and their markdown table (no GPU code: usable from Node). */
export interface KernelRow {
  kernel: string;
  shape: string;
  ms: number;
  /** null where FLOPs are not meaningful (pooling); NaN does not survive JSON. */
  gflops: number | null;
}

export interface StepRow {
  size: number;
  msPerStep: number;
  gflopPerStep: number;
  gflops: number;
  peakMB: number;
  /**
   * Share of the step per layer group (conv block 1–5 incl. its pool and ReLU backward, losses,
   * update; SqueezeNet: conv1, then two Fire modules per block).
   */
  shares: Record<string, number>;
  /** Absent: VGG19 (older results have no field). */
  network?: 'squeezenet';
  /** The Gram forward and backward FLOPs of the step (not in gflopPerStep, which counts the convs). */
  gramGflopPerStep?: number;
}

/** PyTorch CPU's time for the same step, measured in the same run (bench/torch_step.py). */
export interface TorchSteps {
  version: string;
  threads: number;
  steps: { network: 'vgg19' | 'squeezenet'; size: number; ms: number }[];
}

export interface BenchResult {
  adapter: string;
  date: string;
  runner: string;
  matmul: KernelRow;
  kernels: KernelRow[];
  steps: StepRow[];
  pytorch?: TorchSteps;
}

/** Our steps against PyTorch CPU's, network by network: ratio < 1 means faster than PyTorch. */
function torchComparison(r: BenchResult): string[] {
  const t = r.pytorch;
  if (!t || t.steps.length === 0) return [];
  const rows = r.steps.flatMap((s) => {
    const network = s.network ?? 'vgg19';
    const p = t.steps.find((x) => x.network === network && x.size === s.size);
    if (!p) return [];
    return [`| ${network === 'vgg19' ? 'VGG19' : 'SqueezeNet 1.1'} | ${s.size}² | ${s.msPerStep.toFixed(1)} | ${p.ms.toFixed(1)} | ${(s.msPerStep / p.ms).toFixed(2)}× |`];
  });
  return [
    '',
    `| network | step | ours ms/step | PyTorch ${t.version} CPU ms/step (${t.threads} threads) | ours / PyTorch |`,
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    '',
    'PyTorch: the same step in float32 (forward, content/style/TV losses, backward to the image, Adam), best of 2 after a warm-up, timed in this run (bench/torch_step.py).',
  ];
}

/** SqueezeNet's steps next to VGG19's at the same sizes: times, FLOPs and the speed-up. */
function networkComparison(steps: StepRow[]): string[] {
  const sq = steps.filter((s) => s.network === 'squeezenet');
  if (sq.length === 0) return [];
  const total = (s: StepRow) => s.gflopPerStep + (s.gramGflopPerStep ?? 0);
  const rows = sq.map((s) => {
    const v = steps.find((x) => !x.network && x.size === s.size);
    const ratio = (a: number | undefined, b: number) => (a === undefined ? '–' : `${(a / b).toFixed(1)}×`);
    return (
      `| ${s.size}² | ${v ? v.msPerStep.toFixed(1) : '–'} | ${v ? total(v).toFixed(2) : '–'} | ${s.msPerStep.toFixed(1)} | ${s.gflopPerStep.toFixed(3)} + ${(s.gramGflopPerStep ?? 0).toFixed(3)} | ` +
      `${s.peakMB.toFixed(0)} | ${ratio(v && total(v), total(s))} | ${ratio(v?.msPerStep, s.msPerStep)} |`
    );
  });
  return [
    '',
    '| step | VGG19 ms/step | VGG19 GFLOP/step | SqueezeNet 1.1 ms/step | SqueezeNet GFLOP/step (convs + Grams) | SqueezeNet peak MB | FLOP ratio | speed-up |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Each network with its default layers: VGG19 to conv5_1 (content conv4_2, style conv1_1…conv5_1), SqueezeNet to fire5 (content fire2, style conv1, fire2 … fire5). ' +
      'GFLOP/step here counts the convs forward and backward to the input and the Gram forward (C²M) and backward (2C²M) of every style layer: the Grams are ~5% of a VGG19 step but about half of a SqueezeNet step.',
  ];
}

export function markdownTable(r: BenchResult): string {
  const vgg = r.steps.filter((s) => !s.network);
  const lines = [
    `# Benchmark — ${r.adapter} (${r.runner}, ${r.date.slice(0, 10)})`,
    '',
    '| kernel | shape | ms | GFLOP/s |',
    '| --- | --- | ---: | ---: |',
    ...[r.matmul, ...r.kernels].map((k) => `| ${k.kernel} | ${k.shape} | ${k.ms.toFixed(3)} | ${k.gflops == null || Number.isNaN(k.gflops) ? '–' : k.gflops.toFixed(2)} |`),
    '',
    '| step | ms/step | GFLOP/step | GFLOP/s | peak MB | block1 | block2 | block3 | block4 | block5 | losses | update |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...vgg.map(
      (s) =>
        `| ${s.size}² | ${s.msPerStep.toFixed(1)} | ${s.gflopPerStep.toFixed(1)} | ${s.gflops.toFixed(2)} | ${s.peakMB.toFixed(0)} | ` +
        ['block1', 'block2', 'block3', 'block4', 'block5', 'losses', 'update'].map((g) => `${((s.shares[g] ?? 0) * 100).toFixed(0)}%`).join(' | ') +
        ' |',
    ),
    '',
    'GFLOP/step counts the VGG19 forward convs to conv5_1 twice (forward + backward to the input); a multiply-add is 2 FLOP.',
    ...networkComparison(r.steps),
    ...torchComparison(r),
  ];
  return lines.join('\n') + '\n';
}
