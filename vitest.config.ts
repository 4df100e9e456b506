import { defineConfig } from 'vitest/config';

// Three suites, one runner (so `npm test` can total them in one line):
//   unit : plain Node, no GPU;
//   gpu  : kernels and whole-model parity on Dawn + SwiftShader, one file at a time (2 CPU cores);
//   e2e  : the real page in Debian's Chromium through Playwright.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], pool: 'forks', testTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
