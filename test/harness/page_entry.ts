/** Loaded into the test page: exposes `window.harness` for tests driven from Node. */
import { createGpuContext, describeContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { base64ToF32, f32ToBase64 } from './codec.js';
import { CASES, type CaseParams } from '../../src/kernels/cases.js';

let lib: KernelLibrary | null = null;

async function library(): Promise<KernelLibrary> {
  if (!lib) lib = new KernelLibrary(await createGpuContext());
  return lib;
}

const errors: string[] = [];

const harness = {
  async adapter(): Promise<string> {
    return describeContext((await library()).ctx);
  },
  async run(name: string, inputs: Record<string, string>, params: CaseParams): Promise<Record<string, string>> {
    const l = await library();
    const c = CASES[name];
    if (!c) throw new Error(`no kernel case "${name}"`);
    const x = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, base64ToF32(v)]));
    l.ctx.device.pushErrorScope('validation');
    let out;
    try {
      out = await c(l, x, params);
    } finally {
      const err = await l.ctx.device.popErrorScope();
      if (err) errors.push(err.message);
    }
    if (errors.length) throw new Error(`GPU validation error: ${errors.splice(0).join('; ')}`);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, f32ToBase64(v)]));
  },
  async memory() {
    return (await library()).memory.stats();
  },
};

(globalThis as unknown as { harness: typeof harness }).harness = harness;
