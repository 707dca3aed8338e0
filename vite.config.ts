import { defineConfig } from 'vite';
import { wgslText } from './tools/lib/wgsl_plugin.js';

// The demo: `npm run dev` serves it, `npm run build` writes a static site to dist/demo that works
// from any static host (relative asset paths, no server logic). Example images come from examples/.
export default defineConfig({
  root: 'demo',
  base: './',
  publicDir: '../examples',
  plugins: [wgslText()],
  build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2022' },
  server: { host: '127.0.0.1' },
});
