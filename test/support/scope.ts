/**
 * Per-test resources that must be closed whatever happens: upstream servers and harnesses started
 * through a scope are closed after each test, newest first.
 */
import { afterEach } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { startUpstream, type Upstream } from './upstream.js';

export function useScope() {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  return {
    /** Closed after the test. */
    defer(close: () => Promise<void> | void): void {
      cleanup.push(close);
    },
    async upstream(handler: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
      const u = await startUpstream(handler);
      cleanup.push(() => u.close());
      return u;
    },
    async harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
      const h = await startHarness(...args);
      cleanup.push(() => h.close());
      return h;
    },
  };
}
