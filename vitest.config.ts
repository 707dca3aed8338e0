import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file drives its own headless Chromium on a CPU (SwiftShader) adapter: run files one at a
    // time so they do not fight over the 2 cores, and give GPU work generous timeouts.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
