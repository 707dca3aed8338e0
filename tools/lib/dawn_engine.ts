/**
 * Where the CLI runs the engine: in Node through Dawn on a GPU or lavapipe (dawn_runner.ts), or
 * in headless Chromium (engine_session.ts) on SwiftShader.
 */
import { register } from 'node:module';
import { findGpu, findLavapipe, lavapipeCacheDir, type AdapterChoice, type DawnAdapter } from './dawn_adapters.js';
import { EngineSession, type Engine } from './engine_session.js';

let hooked = false;

/** Let Node import the engine's modules: they import their shaders as text (once per process). */
export function allowShaderImports(): void {
  if (!hooked) register('./wgsl_loader.mjs', import.meta.url);
  hooked = true;
}

/**
 * The Dawn adapter `choice` asks for: `auto` takes a GPU, else lavapipe; null means SwiftShader
 * in headless Chromium — asked for, or `auto` with neither (said in one line). A named adapter
 * that is not there is an error.
 */
export async function findDawnAdapter(choice: AdapterChoice): Promise<DawnAdapter | null> {
  if (choice === 'swiftshader') return null;
  const found = choice === 'gpu' ? await findGpu() : choice === 'lavapipe' ? await findLavapipe() : ((await findGpu()) ?? (await findLavapipe()));
  if (found) return found;
  if (choice === 'gpu') throw new Error('--adapter gpu: Dawn found no GPU through the system\'s Vulkan drivers (leave out --adapter to run on the CPU)');
  if (choice === 'lavapipe') throw new Error(`--adapter lavapipe: no lavapipe that Dawn accepts (Mesa 25 or later) was found; bash tools/setup.sh unpacks one into ${lavapipeCacheDir()} where it can`);
  process.stderr.write('note: no GPU and no lavapipe found (bash tools/setup.sh installs lavapipe where it can): running on SwiftShader in headless Chromium, several times slower\n');
  return null;
}

/** The engine on the adapter asked for (findDawnAdapter), in Node through Dawn or in headless Chromium. */
export async function openEngine(choice: AdapterChoice, verbose = false): Promise<Engine> {
  const found = await findDawnAdapter(choice);
  if (!found) return EngineSession.open(verbose);
  allowShaderImports();
  const { DawnEngine } = await import('./dawn_runner.js');
  return DawnEngine.open(found);
}
