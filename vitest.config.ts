import { defineConfig } from 'vitest/config';
import { wgslText } from './tools/lib/wgsl_plugin.js';

export default defineConfig({
  plugins: [wgslText()],
  test: {
    include: ['test/**/*.test.ts'],
    // the JSON report is what .ci/run counts; the default reporter is for people
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    // Each file drives its own headless Chromium on a CPU (SwiftShader) adapter: run files one at a
    // time so they do not fight over the 2 cores, and give GPU work generous timeouts.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
