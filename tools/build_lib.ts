/**
 * npm run build:lib — the package's files in lib/ (what `npm pack` ships, see package.json "files"):
 *   lib/index.js        the engine as one ES module (WGSL inlined as text, the weights' manifest
 *                       inlined, wgsl_reflect bundled: no runtime dependencies, no loader plugin)
 *   lib/types/          .d.ts files from tsc (package.json "types")
 *   lib/weights/        the embedded SqueezeNet 1.1 .bin, its README and both licences
 * The weights' location module is swapped for one that names ./weights/ beside the bundle and
 * records the .bin's size and SHA-256 (checked when it is read).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'lib');
const BIN = 'squeezenet1_1-deepscale.bin';

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'weights'), { recursive: true });
  const bin = readFileSync(join(root, 'weights', BIN));
  const check = { bytes: bin.length, sha256: createHash('sha256').update(bin).digest('hex') };
  const location = `export const embeddedWeightsUrl = () => new URL('./weights/${BIN}', import.meta.url);
export const EMBEDDED_CHECK = ${JSON.stringify(check)};
`;
  await build({
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(out, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    loader: { '.wgsl': 'text', '.json': 'json' },
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [
      {
        name: 'embedded-weights-location',
        setup(b) {
          b.onLoad({ filter: /src[\\/]api[\\/]embedded_location\.ts$/ }, () => ({ contents: location, loader: 'js' }));
        },
      },
    ],
  });
  for (const f of [BIN, 'README.md', 'LICENSE-SqueezeNet.txt', 'LICENSE-keras-squeezenet.txt']) copyFileSync(join(root, 'weights', f), join(out, 'weights', f));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc could not write the type declarations (see above)');
  const kb = (f: string) => (statSync(join(out, f)).size / 1024).toFixed(0);
  writeFileSync(join(out, 'weights', 'CHECKSUM'), `${check.sha256}  ${BIN}\n`);
  process.stderr.write(`lib/index.js ${kb('index.js')} KiB, lib/weights/${BIN} ${kb(`weights/${BIN}`)} KiB, types in lib/types\n`);
}

main().catch((e) => {
  process.stderr.write(`build:lib: ${(e as Error).message}\n`);
  process.exit(1);
});
