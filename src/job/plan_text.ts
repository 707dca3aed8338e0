/** A job's plan (job_plan.ts) in lines for a terminal; no engine code, so the CLI can import it before the engine loads. */
import { formatDuration } from './duration.js';
import type { JobPlan } from './job_plan.js';

/** The plan in lines for a terminal. */
export function describePlan(p: JobPlan, bytes: (n: number) => string): string[] {
  const lines = [`plan: ${p.network} to ${p.deepest}, weights ${p.weights}`];
  if (p.schedule) lines.push(`  ${p.schedule}`);
  for (const [i, s] of p.scales.entries()) {
    const head = s.label ? `  ${s.label}: ` : p.scales.length > 1 ? `  scale ${i + 1}/${p.scales.length}: ` : '  ';
    const how = s.tiles ? `in ${s.tiles.count} tiles of ${s.tiles.tile} px (windows ${s.tiles.windowW}×${s.tiles.windowH})` : 'untiled';
    lines.push(`${head}${s.width}×${s.height}, ${s.steps} step${s.steps === 1 ? '' : 's'}, ${how}${s.reason ? `: ${s.reason}` : ''}`);
    if (s.memory) {
      lines.push(`    GPU memory: at most ${bytes(s.memory.total)} (resident ${bytes(s.memory.resident)}: weights, image, optimizer state, targets; ${s.tiles ? "one tile's graph" : 'the graph'} ${bytes(s.memory.graph)})`);
    } else {
      lines.push('    GPU memory: not estimated for this network (it runs untiled, in tens of MiB at these sizes)');
    }
    lines.push(`    ${(s.flopsPerStep / 1e9).toFixed(1)} GFLOP per step`);
  }
  lines.push(`  time: about ${formatDuration(p.seconds)} for the steps (convs at ${p.gflops.conv.toFixed(1)} GFLOP/s, Grams at ${p.gflops.gram.toFixed(1)}, measured now on this adapter at small shapes; setup not included)`);
  return lines;
}
