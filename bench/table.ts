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
  /** Share of the step per layer group (conv block 1–5 incl. its pool and ReLU backward, losses, update). */
  shares: Record<string, number>;
}

export interface BenchResult {
  adapter: string;
  date: string;
  runner: string;
  matmul: KernelRow;
  kernels: KernelRow[];
  steps: StepRow[];
}

export function markdownTable(r: BenchResult): string {
  const lines = [
    `# Benchmark — ${r.adapter} (${r.runner}, ${r.date.slice(0, 10)})`,
    '',
    '| kernel | shape | ms | GFLOP/s |',
    '| --- | --- | ---: | ---: |',
    ...[r.matmul, ...r.kernels].map((k) => `| ${k.kernel} | ${k.shape} | ${k.ms.toFixed(3)} | ${k.gflops == null || Number.isNaN(k.gflops) ? '–' : k.gflops.toFixed(2)} |`),
    '',
    '| step | ms/step | GFLOP/step | GFLOP/s | peak MB | block1 | block2 | block3 | block4 | block5 | losses | update |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.steps.map(
      (s) =>
        `| ${s.size}² | ${s.msPerStep.toFixed(1)} | ${s.gflopPerStep.toFixed(1)} | ${s.gflops.toFixed(2)} | ${s.peakMB.toFixed(0)} | ` +
        ['block1', 'block2', 'block3', 'block4', 'block5', 'losses', 'update'].map((g) => `${((s.shares[g] ?? 0) * 100).toFixed(0)}%`).join(' | ') +
        ' |',
    ),
    '',
    'GFLOP/step counts the VGG19 forward convs to conv5_1 twice (forward + backward to the input); a multiply-add is 2 FLOP.',
  ];
  return lines.join('\n') + '\n';
}
