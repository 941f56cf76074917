/**
 * `start` compares in threads: the comparisons and store writes run off the thread that serves the
 * ingress and the report API, and a thread that dies mid-backlog loses no pair (invariant 2) and
 * counts none twice (invariant 3).
 */
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/load-config.js';
import { JOB_CONTRACT_VERSION } from '../../libs/exchange/contracts.js';
import { createLogger } from '../../libs/logger.js';
import { runReportApi } from '../../services/cli/run-services.js';
import type { ThreadedComparator } from '../../services/comparator/threaded-comparator.js';
import { makeExchange } from '../support/fixtures.js';
import { QUEUE_KINDS } from '../support/harness.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';
import { json } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const threaded = (c: unknown) => c as ThreadedComparator;

/** A body in memory of its own, as the ingress captures it: it moves to the thread (and dies with it). */
function owned(value: unknown) {
  const text = JSON.stringify(value);
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return { bytes, size: bytes.length, truncated: false };
}

describe.each(QUEUE_KINDS)('start over the %s queue', (kind) => {
  const scope = useScope();

  it('compares every pair in a comparator thread, not on the main thread', async () => {
    const primary = await scope.upstream((_req, res) => json(res, 200, { id: 1, v: 'a' }));
    const shadow = await scope.upstream((_req, res) => json(res, 200, { id: 1, v: 'b' }));
    const h = await scope.harness(kind, { primary: primary.url, shadow: shadow.url }, { comparatorThreads: '1' });
    for (let i = 0; i < 12; i++) expect((await fetch(`${h.ingress}/items/${i}`)).status).toBe(200);
    expect(await h.settled(12)).toMatchObject({ compared: 12, mismatched: 12 });
    const pool = threaded(h.running.comparator).pool;
    const threads = pool.threads();
    expect(threads).toHaveLength(1);
    expect(threads[0]?.threadId).not.toBe(threadId);
    // Every job was answered by the thread: none was handled here.
    expect(pool.handled()).toBe(12);
  });
});

describe('a comparator thread that dies mid-backlog', () => {
  const scope = useScope();

  it('loses no pair: its jobs are retried on the thread that replaces it, each counted once', async () => {
    const primary = await scope.upstream((_req, res) => json(res, 200, {}));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { comparatorThreads: '1', comparatorConcurrency: '8' });
    const pool = threaded(h.running.comparator).pool;
    const publisher = h.running.queue?.publisher;
    if (!publisher) throw new Error('no queue');
    const SENT = 400;
    for (let i = 0; i < SENT; i++) {
      const ex = makeExchange({ id: `pair-${i}`, primaryJson: { i }, shadowJson: { i: i % 3 === 0 ? -1 : i } });
      // Half the bodies own their memory (moved to the thread), half are pool slices (copied).
      if (i % 2 === 0 && ex.shadow) {
        ex.primary.body = owned({ i });
        ex.shadow.body = owned({ i: i % 3 === 0 ? -1 : i });
      }
      await publisher.publish('compare-exchange', ex.id, { v: JOB_CONTRACT_VERSION, exchange: ex });
    }
    const [before] = await waitFor(() => pool.threads(), (t) => (t[0]?.handled ?? 0) > 0 && (t[0]?.inFlight ?? 0) > 0, 15_000, 'a thread busy mid-backlog');
    if (!before) throw new Error('no thread');
    const inFlight = before.inFlight;
    await pool.crash(before.threadId);

    const s = await h.settled(SENT);
    await waitFor(() => threaded(h.running.comparator).consumer.backlog(), (n) => n === 0, 15_000, 'an empty backlog');
    const after = await h.summary();
    expect(after.compared + after.skipped).toBe(SENT);
    expect(after.dropped).toBe(0);
    // Only pairs whose bodies died with the thread are skipped, as comparator_error.
    expect(after.skipped).toBe(after.skippedByReason.comparator_error ?? 0);
    expect(after.skipped).toBeLessThanOrEqual(inFlight);
    expect(s.compared).toBeGreaterThan(0);
    const [replacement] = pool.threads();
    expect(replacement?.threadId).not.toBe(before.threadId);
    // The jobs in flight at the crash were retried on the replacement.
    expect(replacement?.handled ?? 0).toBeGreaterThanOrEqual(inFlight);
  });
});

describe('report-api without Redis', () => {
  const scope = useScope();

  it('compares replays started over HTTP in a comparator thread', async () => {
    const config = loadConfig({ flags: { db: tempDb(), reportListen: '127.0.0.1:0', comparatorThreads: '1', logLevel: 'silent' }, env: {}, command: 'report-api' });
    const running = await runReportApi(config, createLogger('silent', 'test'));
    scope.defer(() => running.close());
    const threads = threaded(running.comparator).pool.threads();
    expect(threads).toHaveLength(1);
    expect(threads[0]?.threadId).not.toBe(threadId);
  });
});
