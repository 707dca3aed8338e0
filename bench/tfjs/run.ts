/**
 * npm run bench:tfjs [-- --sizes 64,128 --steps 4]
 * For comparison only: times the same Gatys step in TensorFlow.js 4.22's WASM backend in the same
 * headless Chromium (page.js). tf.js is installed on first use into .cache/tfjs (npm registry
 * needed once) and is never a dependency of the engine. Prints ms per step (the first step,
 * which includes warm-up, is left out) and writes bench/results/tfjs-wasm.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { launchGpuPage } from '../../tools/lib/browser.js';

const VERSION = '4.22.0';
const DEPS = '.cache/tfjs';
const argv = process.argv.slice(2);
const get = (k: string) => (argv.includes(`--${k}`) ? argv[argv.indexOf(`--${k}`) + 1] : undefined);
const sizes = (get('sizes') ?? '64,128').split(',').map(Number);
const steps = Number(get('steps') ?? 4);
if (sizes.some((s) => !Number.isInteger(s) || s < 16) || !Number.isInteger(steps) || steps < 2) throw new Error('usage: --sizes 64,128 (integers ≥ 16) --steps N (≥ 2)');

const core = `${DEPS}/node_modules/@tensorflow/tfjs/dist/tf.min.js`;
if (!existsSync(core)) {
  process.stderr.write(`installing TensorFlow.js ${VERSION} into ${DEPS} (comparison only)…\n`);
  execFileSync('npm', ['install', '--prefix', DEPS, '--no-save', '--no-package-lock', `@tensorflow/tfjs@${VERSION}`, `@tensorflow/tfjs-backend-wasm@${VERSION}`], { stdio: 'inherit' });
}
const wasmDir = `${DEPS}/node_modules/@tensorflow/tfjs-backend-wasm/dist`;
const js = (f: string) => ({ body: readFileSync(f, 'utf8'), type: 'text/javascript' });
const files = {
  '/tf.js': js(core),
  '/tf-wasm.js': js(`${wasmDir}/tf-backend-wasm.min.js`),
  '/page.js': js(new URL('./page.js', import.meta.url).pathname),
  ...Object.fromEntries(
    ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => [`/${f}`, { body: readFileSync(`${wasmDir}/${f}`), type: 'application/wasm' }]),
  ),
};
const s = await launchGpuPage({ files, isolated: true, webgpu: false });
try {
  for (const f of ['/tf.js', '/tf-wasm.js', '/page.js']) await s.page.addScriptTag({ url: f });
  const rows: string[] = [];
  for (const size of sizes) {
    const r = await s.page.evaluate((a) => (globalThis as unknown as { tfjsGatysStep: (n: number, k: number) => Promise<{ threads: boolean; simd: boolean; ms: number[] }> }).tfjsGatysStep(a.size, a.steps), { size, steps });
    const warm = r.ms.slice(1);
    const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
    const line = `| ${size}² | ${mean.toFixed(0)} | ${warm.map((m) => m.toFixed(0)).join(', ')} | ${r.simd ? 'SIMD' : 'no SIMD'}, ${r.threads ? 'threads' : 'one thread'} |`;
    process.stdout.write(`${line}\n`);
    rows.push(line);
  }
  const md = [
    `# TensorFlow.js ${VERSION} WASM backend, same Gatys step, headless Chromium (${new Date().toISOString().slice(0, 10)})`,
    '',
    '| step | ms/step (mean) | each step after the first | build |',
    '| --- | ---: | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync('bench/results/tfjs-wasm.md', md);
  process.stdout.write('wrote bench/results/tfjs-wasm.md\n');
} finally {
  await s.close();
}
