// Node module hook (registered by dawn_engine.ts before it imports the engine): `import src from
// './x.wgsl'` gives the shader's source text, as esbuild's and Vite's text loaders do elsewhere.
import { readFile } from 'node:fs/promises';

export async function load(url, context, next) {
  if (!url.endsWith('.wgsl')) return next(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
