/**
 * Invariant 2 when BullMQ gives up on a job: one whose workers die on it more often than
 * maxStalledCount is failed by BullMQ without running it (a deferred failure), so no handler ever
 * saw it. The pair must still be counted: skipped, `comparator_error`, once, and not compared again.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { QUEUE_NAME } from '../../libs/exchange/contracts.js';
import { createLogger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { openStore, summary } from '../../libs/store/index.js';
import { startComparator } from '../../services/comparator/comparator-service.js';
import { makeExchange } from '../support/fixtures.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const LOCK_MS = 1000;

describe('a job BullMQ gives up on after its workers died on it', () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('is counted as skipped (comparator_error), once, without being compared', async () => {
    const prefix = randomPrefix();
    const url = inject('redisUrl');
    const store = await openStore(tempDb());
    cleanup.push(() => store.close());
    // No stall is forgiven: the first worker that dies on the job is one too many.
    const queue = createBullmqQueue({ url, prefix, maxBacklog: 100, lockMs: LOCK_MS, maxStalledCount: 0 });
    cleanup.push(() => queue.close());
    expect(await queue.ready(5000)).toBe(true);

    // A worker that takes the job and dies on it: it never answers, and stops renewing its lock.
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    cleanup.push(() => connection.disconnect());
    let taken!: () => void;
    const takenJob = new Promise<void>((resolve) => (taken = resolve));
    const dying = new Worker(QUEUE_NAME, () => (taken(), new Promise(() => {})), { connection, prefix, lockDuration: LOCK_MS, stalledInterval: LOCK_MS });
    const ex = makeExchange({ id: 'stalls-0', primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    await takenJob;
    await dying.close(true);

    const stages: string[] = [];
    let compared = 0;
    const comparator = startComparator({
      queue,
      store,
      concurrency: 2,
      logger: createLogger('silent', 'test'),
      settings: {
        onComparatorError: (job, stage) => stages.push(`${stage}:${job.id}`),
        stages: { finishOutcome: (o) => (compared++, o) },
      },
    });
    cleanup.push(() => comparator.close());

    const s = await waitFor(() => summary(store, 'live'), (r) => r.skipped >= 1, 15_000, 'the abandoned pair counted');
    expect(s).toMatchObject({ compared: 0, skipped: 1, skippedByReason: { comparator_error: 1 } });
    expect(stages).toEqual(['queue:stalls-0']);
    expect(compared).toBe(0);
  }, 30_000);
});
