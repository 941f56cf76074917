import { sql } from 'drizzle-orm';
/**
 * Invariant 2 under comparator faults: whatever stage throws (compare, outcome building, store
 * write) or however broken the payload, every published pair ends compared or skipped
 * (`comparator_error`), once, over both queues.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { openStore, recordBatch, summary, endpointStats, type Store } from '../../libs/store/index.js';
import { compareExchange } from '../../libs/compare/index.js';
import type { Exchange } from '../../libs/exchange/exchange.js';
import { startComparator, type ComparatorService } from '../../services/comparator/comparator-service.js';
import { buildReportApp } from '../../services/report-api/report-app.js';
import { makeExchange } from '../support/fixtures.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { sleep, waitFor } from '../support/wait.js';

const factories: Record<string, () => JobQueue> = {
  embedded: () => createEmbeddedQueue({ maxBacklog: 1000, backoffMs: 10 }),
  bullmq: () => createBullmqQueue({ url: inject('redisUrl'), prefix: randomPrefix(), maxBacklog: 1000, lockMs: 2000 }),
};

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

/** Which fault each pair meets, by the first segment of its path. */
const PLAN = { ok: 20, 'fail-compare': 5, 'fail-outcome': 5, 'poison-store': 5, 'busy-once': 3, 'busy-always': 3 } as const;
const BROKEN_PAYLOADS = 2;
const SENT = Object.values(PLAN).reduce((a, b) => a + b, 0) + BROKEN_PAYLOADS;
const COUNTED_AS_ERROR = PLAN['fail-compare'] + PLAN['fail-outcome'] + PLAN['poison-store'] + PLAN['busy-always'] + BROKEN_PAYLOADS;

function exchanges(): Exchange[] {
  const out: Exchange[] = [];
  for (const [kind, n] of Object.entries(PLAN)) {
    for (let i = 0; i < n; i++) {
      const poison = kind === 'poison-store';
      const ex = makeExchange({ id: `${kind}-${i}`, primaryJson: { a: 1 }, shadowJson: poison ? { a: 1, poison: true } : { a: i % 2 ? 1 : 2 } });
      ex.request.url = `/${kind}/${i}`;
      out.push(ex);
    }
  }
  return out;
}

describe.each(Object.keys(factories))('%s queue: a comparator that throws', (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('loses no pair: each ends compared or skipped (comparator_error), counted once, redeliveries included', async () => {
    const store: Store = await openStore(tempDb());
    cleanup.push(() => store.close());
    // A real store failure: SQLite refuses one difference, so the whole batch's transaction fails
    // (the batch writer then retries outcome by outcome, and only the poisoned one fails).
    await store.db.run(
      sql`create trigger poison before insert on differences when new.path = '$.poison' begin select raise(abort, 'injected store failure'); end`,
    );
    const queue = factories[kind]?.() as JobQueue;
    cleanup.push(() => queue.close());
    expect(await queue.ready(5000)).toBe(true);
    const calls = new Map<string, number>();
    const errors: string[] = [];
    const comparator: ComparatorService = startComparator({
      queue,
      store,
      concurrency: 4,
      logger: createLogger('silent', 'test'),
      settings: {
        onComparatorError: (job, stage) => errors.push(`${stage}:${job.id}`),
        stages: {
          compare: (ex, opts) => {
            if (ex.request.url.startsWith('/fail-compare/')) throw new TypeError('injected compare failure');
            return compareExchange(ex, opts);
          },
          finishOutcome: (o) => {
            if (o.url.startsWith('/fail-outcome/')) throw new Error('injected outcome failure');
            return o;
          },
          record: async (s, batch) => {
            for (const o of batch) {
              const n = (calls.get(o.id) ?? 0) + 1;
              calls.set(o.id, n);
              if (o.url.startsWith('/busy-always/') || (o.url.startsWith('/busy-once/') && n === 1)) throw busy();
            }
            return recordBatch(s, batch);
          },
        },
      },
    });
    cleanup.push(() => comparator.close());

    const all = exchanges();
    for (const ex of all) await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    for (let i = 0; i < BROKEN_PAYLOADS; i++) {
      // No primary response and a bad version: it can never be compared, but it names its pair.
      const broken = { v: 1, exchange: { id: `broken-${i}`, run: 'live', request: { method: 'GET', url: `/broken/${i}` } } };
      await queue.publisher.publish('compare-exchange', `broken-${i}`, broken as never);
    }
    const settled = () => summary(store, 'live');
    await waitFor(settled, (s) => s.compared + s.skipped >= SENT, 30_000, `${SENT} pairs accounted for`);

    // Redeliveries of pairs already counted (compared, and counted by the fallback) change nothing.
    for (const id of ['ok-0', 'fail-compare-0', 'poison-store-0', 'busy-always-0']) {
      const ex = all.find((e) => e.id === id) as Exchange;
      await queue.publisher.publish('compare-exchange', id, { v: 1, exchange: ex });
    }
    await waitFor(() => comparator.consumer.backlog(), (n) => n === 0, 10_000, 'the redeliveries handled');
    await sleep(300);

    const s = await summary(store, 'live');
    expect(s.compared + s.skipped).toBe(SENT);
    expect(s).toMatchObject({ compared: PLAN.ok + PLAN['busy-once'], skipped: COUNTED_AS_ERROR, skippedByReason: { comparator_error: COUNTED_AS_ERROR } });
    expect(s.mismatched).toBe(10 + 2); // the even ones of ok (0..19) and of busy-once (0, 2)
    const stages = new Set(errors.map((e) => e.split(':')[0]));
    expect([...stages].sort()).toEqual(['compare', 'outcome', 'payload', 'store']);
    expect(errors).toHaveLength(COUNTED_AS_ERROR);
    const perEndpoint = await endpointStats(store, 'live');
    expect(perEndpoint.find((e) => e.endpoint === 'GET /fail-compare/:id')?.skippedByReason).toEqual({ comparator_error: PLAN['fail-compare'] });

    const app = await buildReportApp({ store, defaultRun: 'live' });
    cleanup.push(() => app.close());
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`shadowdiff_skipped_total{run="live",endpoint="GET /poison-store/:id",reason="comparator_error"} ${PLAN['poison-store']}`);
  }, 60_000);
});
