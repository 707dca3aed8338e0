/**
 * Where the CLI runs the engine: in Node through Dawn on a GPU or lavapipe (dawn_runner.ts), or
 * in headless Chromium (engine_session.ts) on SwiftShader.
 */
import { register } from 'node:module';
import { findGpu, findLavapipe, lavapipeCacheDir, type AdapterChoice } from './dawn_adapters.js';
import { EngineSession, type Engine } from './engine_session.js';

let hooked = false;

/**
 * The engine on the adapter asked for: `auto` takes a GPU, else lavapipe, else SwiftShader in
 * headless Chromium (saying so in one line); a named adapter that is not there is an error.
 */
export async function openEngine(choice: AdapterChoice, verbose = false): Promise<Engine> {
  if (choice === 'swiftshader') return EngineSession.open(verbose);
  const found = choice === 'gpu' ? await findGpu() : choice === 'lavapipe' ? await findLavapipe() : ((await findGpu()) ?? (await findLavapipe()));
  if (found) {
    // the engine's modules import their shaders as text: Node needs the hook before loading them
    if (!hooked) register('./wgsl_loader.mjs', import.meta.url);
    hooked = true;
    const { DawnEngine } = await import('./dawn_runner.js');
    return DawnEngine.open(found, verbose);
  }
  if (choice === 'gpu') throw new Error('--adapter gpu: Dawn found no GPU through the system\'s Vulkan drivers (leave out --adapter to run on the CPU)');
  if (choice === 'lavapipe') throw new Error(`--adapter lavapipe: no lavapipe that Dawn accepts (Mesa 25 or later) was found; bash tools/setup.sh unpacks one into ${lavapipeCacheDir()} where it can`);
  process.stderr.write('note: no GPU and no lavapipe found (bash tools/setup.sh installs lavapipe where it can): running on SwiftShader in headless Chromium, several times slower\n');
  return EngineSession.open(verbose);
}
