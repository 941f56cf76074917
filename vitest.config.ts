import { defineConfig } from 'vitest/config';

/**
 * Tests that measure the machine itself (event-loop delay) run after the rest, alone: beside other
 * files they would measure those files' load, not what they are about.
 */
const ALONE = ['test/alone/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers and processes and spend much of their time waiting on
    // them (timeouts, backlogs, other processes): three files at once keep two cores busy.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          // The load test and the package test run on their own: npm run test:load, npm run test:package.
          exclude: ['test/load/**', 'test/package/**', ...ALONE, 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
