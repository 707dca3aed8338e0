import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { wgslText } from './tools/lib/wgsl_plugin.js';

// The embedded SqueezeNet 1.1 weights (weights/*.json + .bin): the page imports them with `?url`,
// so they are served from its own origin (hashed names in dist/demo/assets: the browser's HTTP
// cache keeps them); the page checks the .bin it gets against this size and SHA-256.
const EMBEDDED_BIN = readFileSync(new URL('./weights/squeezenet1_1-deepscale.bin', import.meta.url));

// The demo: `npm run dev` serves it, `npm run build` writes a static site to dist/demo that works
// from any static host (relative asset paths, no server logic). Example images come from examples/.
export default defineConfig({
  root: 'demo',
  base: './',
  publicDir: '../examples',
  plugins: [wgslText()],
  define: {
    __EMBEDDED_SQUEEZENET_BYTES__: JSON.stringify(EMBEDDED_BIN.byteLength),
    __EMBEDDED_SQUEEZENET_SHA256__: JSON.stringify(createHash('sha256').update(EMBEDDED_BIN).digest('hex')),
  },
  build: {
    outDir: '../dist/demo',
    emptyOutDir: true,
    target: 'es2022',
    // the weights' manifest is a file next to the .bin, never inlined into the script
    assetsInlineLimit: (file) => (file.includes('/weights/') ? false : undefined),
  },
  server: { host: '127.0.0.1' },
});
