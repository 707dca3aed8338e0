/**
 * Optical flow's accuracy and time beside OpenCV's (docs/video.md, "Optical flow"):
 *   npm run flow-accuracy [-- --adapter auto|gpu|lavapipe] [--size 256] [--alpha A] [--omega W] [--iterations N]
 *                            [--warps N] [--levels N] [--json FILE]
 * tools/flow_reference.py (/usr/bin/python3 with cv2) makes frame pairs with known motion from
 * the example photos (../shared/examples, or $NST_EXAMPLES) and measures OpenCV's DIS (MEDIUM)
 * and Farnebäck on them; this runs ours (src/kernels/flow/flow.ts) in Node through Dawn on the
 * same pairs and prints a table: pair × method → average endpoint error (px) and milliseconds.
 * Ours: median of 3 runs after one warm-up, upload excluded, readback of the flow included.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { allowShaderImports, findDawnAdapter } from './lib/dawn_engine.js';
import type { AdapterChoice } from './lib/dawn_adapters.js';

interface Pair { key: string; H: number; W: number; opencv: Record<string, { epe: number; ms: number }> }

function f32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function epe(flow: ArrayLike<number>, gt: ArrayLike<number>, mask: ArrayLike<number>, n: number): number {
  let s = 0, c = 0;
  for (let i = 0; i < n; i++) if (mask[i] > 0) {
    s += Math.hypot(flow[i] - gt[i], flow[n + i] - gt[n + i]);
    c++;
  }
  return s / c;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: {
    adapter: { type: 'string', default: 'auto' }, size: { type: 'string', default: '256' },
    alpha: { type: 'string' }, omega: { type: 'string' }, iterations: { type: 'string' }, warps: { type: 'string' }, levels: { type: 'string' },
    json: { type: 'string' },
  } });
  const examples = resolve(process.env.NST_EXAMPLES ?? '../shared/examples');
  if (!existsSync(examples)) throw new Error(`no example photos at ${examples} (set NST_EXAMPLES)`);
  const found = await findDawnAdapter(values.adapter as AdapterChoice);
  if (!found) throw new Error('flow-accuracy runs in Node through Dawn: it needs a GPU or lavapipe (bash tools/setup.sh)');
  allowShaderImports();
  const { createGpuContext, describeContext } = await import('../src/kernels/context.js');
  const { KernelLibrary } = await import('../src/kernels/library.js');
  const { opticalFlowRun } = await import('../src/kernels/flow/flow.js');
  const options: Record<string, number> = {};
  for (const k of ['alpha', 'omega', 'iterations', 'warps', 'levels'] as const) if (values[k] !== undefined) options[k] = Number(values[k]);

  const dir = mkdtempSync(join(tmpdir(), 'nst-flow-'));
  try {
    execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'flow_reference.py'), examples, dir, values.size!], { stdio: ['ignore', 'inherit', 'ignore'] });
    const pairs = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { pairs: Pair[] }).pairs;
    const lib = new KernelLibrary(await createGpuContext({ gpu: found.gpu }));
    process.stdout.write(`ours on ${describeContext(lib.ctx)}, options ${JSON.stringify(options)}; OpenCV 1 thread on the CPU\n\n`);
    const rows: { key: string; ours: { epe: number; ms: number }; opencv: Pair['opencv'] }[] = [];
    for (const p of pairs) {
      const n = p.H * p.W;
      const a = lib.upload([3, p.H, p.W], f32(join(dir, `${p.key}.a.f32`))), b = lib.upload([3, p.H, p.W], f32(join(dir, `${p.key}.b.f32`)));
      const flow = lib.tensor([2, p.H, p.W], 'flow');
      const run = opticalFlowRun(lib, a, b, flow, options);
      let out: Float32Array = new Float32Array(0);
      const times: number[] = [];
      try {
        for (let i = 0; i < 4; i++) {
          const t = performance.now();
          lib.run(run.dispatches);
          out = await lib.read(flow);
          if (i > 0) times.push(performance.now() - t);
        }
      } finally {
        run.release();
        lib.release(a, b, flow);
      }
      times.sort((x, y) => x - y);
      rows.push({ key: p.key, ours: { epe: epe(out, f32(join(dir, `${p.key}.gt.f32`)), f32(join(dir, `${p.key}.mask.f32`)), n), ms: times[1] }, opencv: p.opencv });
      process.stderr.write(`${p.key} ${p.H}×${p.W}: ${rows[rows.length - 1].ours.epe.toFixed(3)} px\n`);
    }
    const cell = (r: { epe: number; ms: number }) => `${r.epe.toFixed(3)} | ${r.ms.toFixed(0)}`;
    const lines = ['| pair | size | ours EPE | ms | DIS medium EPE | ms | Farnebäck EPE | ms | zero flow EPE |', '|---|---|---|---|---|---|---|---|---|'];
    for (const r of rows) {
      const p = pairs.find((q) => q.key === r.key)!;
      lines.push(`| ${r.key} | ${p.H}×${p.W} | ${cell(r.ours)} | ${cell(r.opencv.dis_medium)} | ${cell(r.opencv.farneback)} | ${r.opencv.zero.epe.toFixed(2)} |`);
    }
    const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
    lines.push(`| **mean** | | **${mean((r) => r.ours.epe).toFixed(3)}** | ${mean((r) => r.ours.ms).toFixed(0)} | **${mean((r) => r.opencv.dis_medium.epe).toFixed(3)}** | ${mean((r) => r.opencv.dis_medium.ms).toFixed(0)} | **${mean((r) => r.opencv.farneback.epe).toFixed(3)}** | ${mean((r) => r.opencv.farneback.ms).toFixed(0)} | ${mean((r) => r.opencv.zero.epe).toFixed(2)} |`);
    process.stdout.write(lines.join('\n') + '\n');
    if (values.json) writeFileSync(values.json, JSON.stringify({ options, rows }, null, 1));
    lib.destroy();
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`flow-accuracy: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
