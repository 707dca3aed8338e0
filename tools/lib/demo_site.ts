/** The demo page built by Vite into a folder and read back as files to serve (tests, screenshots). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { build } from 'vite';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.jpg': 'image/jpeg', '.json': 'application/json', '.md': 'text/plain' };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

/** Build the site into `outDir` (relative to the repository) and return its files by URL path. */
export async function buildDemoSite(outDir: string): Promise<Record<string, { body: Uint8Array; type: string }>> {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: `../${outDir}`, emptyOutDir: true } });
  return Object.fromEntries(walk(outDir).map((f) => [`/${relative(outDir, f)}`, { body: new Uint8Array(readFileSync(f)), type: TYPES[extname(f)] ?? 'application/octet-stream' }]));
}
