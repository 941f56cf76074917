import { defineConfig } from 'vitest/config';

// The package as users get it: `npm pack`, installed from its tarball into an empty directory (the
// install fetches dependencies from the registry and compiles better-sqlite3: minutes, not seconds).
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 900_000,
    maxWorkers: 1,
  },
});
