import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The load test and the package test run on their own: npm run test:load, npm run test:package.
    exclude: ['test/load/**', 'test/package/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers and processes and spend much of their time waiting on
    // them (timeouts, backlogs, other processes): three files at once keep two cores busy.
    maxWorkers: 3,
  },
});
