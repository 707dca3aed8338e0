/**
 * Which adapter the CLI runs the engine on, in Node through Dawn (the `webgpu` package), or in
 * headless Chromium. Best first: a real GPU (the system's Vulkan drivers) → Mesa's lavapipe (a
 * CPU Vulkan driver, LLVM-compiled, 3–5× faster here than SwiftShader) → SwiftShader, which runs
 * in headless Chromium (its SwiftShader ran our steps faster than Dawn's in Node). Vulkan picks
 * its drivers when an instance is made, from VK_ICD_FILENAMES: each candidate gets an instance
 * of its own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Args } from './args.js';

export const ADAPTER_CHOICES = ['auto', 'gpu', 'lavapipe', 'swiftshader'] as const;
export type AdapterChoice = (typeof ADAPTER_CHOICES)[number];

export const ADAPTER_HELP = `  --adapter NAME          where the engine runs: auto (default, or $NST_ADAPTER: a GPU, else
                          Mesa's lavapipe on the CPU, else SwiftShader in headless Chromium),
                          gpu, lavapipe, swiftshader; the adapter is printed`;

/** --adapter, defaulting to $NST_ADAPTER, then auto. */
export function adapterFlag(a: Args): AdapterChoice {
  const env = process.env.NST_ADAPTER || undefined;
  if (env !== undefined && !(ADAPTER_CHOICES as readonly string[]).includes(env)) throw new Error(`$NST_ADAPTER must be one of ${ADAPTER_CHOICES.join(', ')}, got "${env}"`);
  return a.choice('adapter', ADAPTER_CHOICES, (env as AdapterChoice | undefined) ?? 'auto')!;
}

/** Where tools/setup.sh unpacks lavapipe: the cache's lavapipe/lvp_icd.json (its library_path absolute). */
export function lavapipeCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'webgpu-neural-style', 'lavapipe');
}

/** lavapipe's ICD files, in the order tried: $NST_LAVAPIPE_ICD, the cache's, the system's ($NST_LAVAPIPE_ICD=none: never lavapipe). */
export function lavapipeIcds(): string[] {
  const found: string[] = [];
  if (process.env.NST_LAVAPIPE_ICD === 'none') return found;
  if (process.env.NST_LAVAPIPE_ICD) found.push(process.env.NST_LAVAPIPE_ICD);
  const cached = join(lavapipeCacheDir(), 'lvp_icd.json');
  if (existsSync(cached)) found.push(cached);
  for (const dir of ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d']) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (/^lvp_icd.*\.json$/.test(f)) found.push(join(dir, f));
  }
  return found;
}

export interface DawnAdapter {
  /** Keep it referenced while the device is used: Dawn stops delivering GPU events once its instance is collected. */
  gpu: GPU;
  adapter: GPUAdapter;
  kind: 'gpu' | 'lavapipe';
}

type WebGpuModule = { create(flags: string[]): unknown; globals: Record<string, unknown> };
let module: WebGpuModule | null | undefined;

/** The `webgpu` package, or null where its native module cannot load (a platform it has no build for). */
function webgpu(): WebGpuModule | null {
  if (module === undefined) {
    try {
      module = createRequire(import.meta.url)('webgpu') as WebGpuModule;
      Object.assign(globalThis, module.globals);
    } catch {
      module = null;
    }
  }
  return module;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|cpu/i;
const LAVAPIPE = /llvmpipe|lavapipe/i;

/**
 * Does a Dawn instance whose Vulkan loader sees the drivers in `icd` (undefined: the system's)
 * give an adapter of this kind? Asked in a child process: Dawn and the Vulkan loader print their
 * complaints about missing or refused drivers straight to stderr, which would clutter every run.
 */
function probe(icd: string | undefined, kind: 'gpu' | 'lavapipe'): boolean {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return false;
  }
  const script = `const { create, globals } = require(${JSON.stringify(pkg)}); Object.assign(globalThis, globals);
    create([]).requestAdapter({ powerPreference: 'high-performance' }).then((a) => {
      const i = a && a.info, text = i ? [i.vendor, i.architecture, i.device, i.description].join(' ') : '';
      const ok = a && (${JSON.stringify(kind)} === 'gpu' ? !i.isFallbackAdapter && !${SOFTWARE}.test(text) : ${LAVAPIPE}.test(text));
      process.exit(ok ? 0 : 1);
    }, () => process.exit(1));`;
  const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir(), ...(icd === undefined ? {} : { VK_ICD_FILENAMES: icd }) };
  return spawnSync(process.execPath, ['-e', script], { env, stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/** Dawn's instance options from NST_DAWN_FLAGS, comma-separated (e.g. enable-dawn-features=disable_robustness), for experiments. */
export function dawnFlags(): string[] {
  return (process.env.NST_DAWN_FLAGS ?? '').split(',').filter(Boolean);
}

/** The adapter `probe` found, in this process (the loader reads VK_ICD_FILENAMES when the instance is made). */
async function instance(icd: string | undefined): Promise<{ gpu: GPU; adapter: GPUAdapter } | null> {
  const m = webgpu();
  if (!m) return null;
  const saved = process.env.VK_ICD_FILENAMES;
  if (icd !== undefined) process.env.VK_ICD_FILENAMES = icd;
  // lavapipe warns at every start without it
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  try {
    const gpu = m.create(dawnFlags()) as GPU;
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? { gpu, adapter } : null;
  } finally {
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
  }
}

/** A real GPU through the system's Vulkan drivers (a CPU driver installed system-wide does not count). */
export async function findGpu(): Promise<DawnAdapter | null> {
  const r = probe(undefined, 'gpu') ? await instance(undefined) : null;
  return r && { ...r, kind: 'gpu' };
}

/** lavapipe, from the first of lavapipeIcds() that Dawn accepts (it refuses Mesa before 25; see docs/cli.md). */
export async function findLavapipe(): Promise<DawnAdapter | null> {
  for (const icd of lavapipeIcds()) {
    if (!existsSync(icd)) continue;
    const r = probe(icd, 'lavapipe') ? await instance(icd) : null;
    if (r) return { ...r, kind: 'lavapipe' };
  }
  return null;
}
