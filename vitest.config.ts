import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own servers on fresh databases; two workers match the two cores.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // A stray .only must fail the run, not quietly skip the rest of the suite.
    allowOnly: false,
    projects: [
      { extends: true, test: { name: 'server', include: ['test/**/*.test.ts'] } },
      // Unit tests of the web client, in Node (no DOM).
      { extends: true, plugins: [vue()], test: { name: 'web', include: ['web/src/**/*.test.ts'] } },
      // Browser tests: dist/web is rebuilt first when web/ changed, once per run (only when one of them runs).
      { extends: true, test: { name: 'browser', include: ['web/e2e/**/*.test.ts'], globalSetup: ['web/e2e/global-setup.ts'] } },
    ],
  },
});
