/** Bundle a TypeScript entry for the browser with esbuild (WGSL files imported as text). */
import { build } from 'esbuild';

export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    sourcemap: 'inline',
    loader: { '.wgsl': 'text' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
