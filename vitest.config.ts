import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // End-to-end specs mount filesystems and kill processes: give them time, and run files one at a time
    // so that two specs never fill the same machine's memory or fight over /dev/shm.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
