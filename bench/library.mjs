// npm run bench:library — the package as a user runs it (build:lib first; the script does it):
// import → first evaluation → first step, seconds per step, and a session vs one call per run.
// Node through the `webgpu` package: set VK_ICD_FILENAMES to lavapipe's lvp_icd.json on a machine without a GPU.
import sharp from 'sharp';

const t0 = performance.now();
const { stylize, createStylizer } = await import('../lib/index.js');
const importS = (performance.now() - t0) / 1000;
const read = async (f) => {
  const { data, info } = await sharp(f).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
};
const ex = new URL('../../shared/examples/', import.meta.url).pathname;
const [content, style] = await Promise.all([read(`${ex}chelsea.png`), read(`${ex}starry_night.jpg`)]);
const seconds = (t) => +((performance.now() - t) / 1000).toFixed(2);

const job = { content, style, size: 256, iterations: 30, scales: 1 };
let firstEval = 0, firstStep = 0;
const t1 = performance.now();
const r = await stylize({ ...job, onProgress: (p) => {
  if (p.step === 0 && !firstEval) firstEval = seconds(t1);
  if (p.step === 1 && !firstStep) firstStep = seconds(t1);
} });
console.log(`256 px, 30 steps, one scale: import ${importS.toFixed(2)} s, first evaluation ${firstEval} s, first step ${firstStep} s, ${(r.seconds / r.steps).toFixed(3)} s/step, loss ${r.losses.total.toExponential(4)}`);

const runs = 5, frame = { ...job, iterations: 10 };
let t = performance.now();
for (let i = 0; i < runs; i++) await stylize(frame);
const oneCall = seconds(t) / runs;
const s = await createStylizer();
t = performance.now();
for (let i = 0; i < runs; i++) await s.stylize(frame);
const session = seconds(t) / runs;
s.destroy();
console.log(`${runs} runs of 10 steps at 256 px in one style: ${oneCall.toFixed(2)} s per stylize() call, ${session.toFixed(2)} s per run on one session`);
