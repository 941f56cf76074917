/** One suite, both queue implementations: the seam behaves the same whichever is behind it. */
import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { JOB_ATTEMPTS, type AnyJob, type CompareExchangePayload, type RecordDropsPayload } from '../../libs/exchange/contracts.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { QueueFullError } from '../../libs/queue/queue-errors.js';
import { exchangeBytes } from '../../libs/queue/job-bytes.js';
import type { JobConsumer, JobQueue } from '../../libs/queue/queue.js';
import type { Exchange } from '../../libs/exchange/exchange.js';
import { randomPrefix } from '../support/temp.js';
import { sleep, waitFor } from '../support/wait.js';

const factories: Record<string, (maxBacklog: number, maxBacklogBytes?: number) => JobQueue> = {
  embedded: (maxBacklog, maxBacklogBytes) => createEmbeddedQueue({ maxBacklog, maxBacklogBytes, backoffMs: 10 }),
  bullmq: (maxBacklog, maxBacklogBytes) => createBullmqQueue({ url: inject('redisUrl'), prefix: randomPrefix(), maxBacklog, maxBacklogBytes, lockMs: 2000, backoffMs: 10 }),
};

const payload = (reportId: string): RecordDropsPayload => ({ v: 1, reportId, run: 'live', counts: { queue_unavailable: 1 } });

/** An exchange whose three bodies hold `bytes` captured bytes together. */
function exchangeOf(id: string, bytes: number): CompareExchangePayload {
  const body = (n: number) => ({ bytes: Buffer.alloc(n, 'x'), size: n, truncated: false });
  const third = Math.floor(bytes / 3);
  const exchange: Exchange = {
    id,
    run: 'live',
    receivedAt: 1,
    request: { method: 'POST', url: '/', headers: {}, body: body(bytes - 2 * third) },
    primary: { status: 200, headers: {}, body: body(third), latencyMs: 1 },
    shadow: { status: 200, headers: {}, body: body(third), latencyMs: 1 },
    shadowError: null,
    skipReason: null,
  };
  return { v: 1, exchange };
}

/** Nothing waiting, retrying or in progress: no delivery can follow, so the counts are final. */
async function settled(consumer: JobConsumer): Promise<void> {
  await waitFor(() => consumer.backlog(), (n) => n === 0, 10_000, 'an empty backlog');
}

describe.each(Object.keys(factories))('%s queue', (kind) => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    for (const q of open.splice(0)) await q.close();
  });

  async function queue(maxBacklog = 1000, maxBacklogBytes?: number): Promise<JobQueue> {
    const q = (factories[kind] as (n: number, bytes?: number) => JobQueue)(maxBacklog, maxBacklogBytes);
    open.push(q);
    expect(await q.ready(5000)).toBe(true);
    return q;
  }

  it('delivers each published job once, with its name, id and payload', async () => {
    const q = await queue();
    const seen: AnyJob[] = [];
    const consumer = q.consumer({ concurrency: 2 });
    consumer.start(async (job) => {
      seen.push(job);
    });
    for (let i = 0; i < 20; i++) await q.publisher.publish('record-drops', `job-${i}`, payload(`r${i}`));
    await waitFor(() => seen.length, (n) => n >= 20, 10_000, 'all jobs delivered');
    await settled(consumer);
    expect(seen).toHaveLength(20);
    expect(new Set(seen.map((j) => j.id)).size).toBe(20);
    expect(seen.find((j) => j.id === 'job-3')).toMatchObject({ name: 'record-drops', payload: payload('r3') });
    await consumer.close();
  });

  it('says it runs from start() until close(), as health checks read it', async () => {
    const q = await queue();
    const consumer = q.consumer({ concurrency: 1 });
    expect(consumer.isRunning()).toBe(false);
    consumer.start(async () => undefined);
    expect(consumer.isRunning()).toBe(true);
    await consumer.close();
    expect(consumer.isRunning()).toBe(false);
  });

  it('ignores a second publish of an id that is still queued', async () => {
    const q = await queue();
    await q.publisher.publish('record-drops', 'same', payload('a'));
    await q.publisher.publish('record-drops', 'same', payload('b'));
    const seen: AnyJob[] = [];
    const consumer = q.consumer({ concurrency: 1 });
    consumer.start(async (job) => {
      seen.push(job);
    });
    await waitFor(() => seen.length, (n) => n >= 1, 10_000);
    await settled(consumer);
    expect(seen.map((j) => (j.payload as RecordDropsPayload).reportId)).toEqual(['a']);
    await consumer.close();
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const q = await queue();
    const attempts: number[] = [];
    const consumer = q.consumer({ concurrency: 1 });
    consumer.start(async (job) => {
      attempts.push(job.attempt);
      if (attempts.length < 3) throw new Error('store busy');
    });
    await q.publisher.publish('record-drops', 'flaky', payload('f'));
    await waitFor(() => attempts.length, (n) => n >= 3, 10_000, 'three attempts');
    expect(attempts).toEqual([0, 1, 2]);
    await waitFor(() => consumer.backlog(), (n) => n === 0, 5000, 'empty backlog');
    await consumer.close();
  });

  it(`gives up after ${JOB_ATTEMPTS} attempts, and at once on an UnrecoverableError`, async () => {
    const q = await queue();
    const calls = new Map<string, number>();
    const consumer = q.consumer({ concurrency: 1 });
    consumer.start(async (job) => {
      calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
      if (job.id === 'bad-payload') throw new UnrecoverableError('can never succeed');
      throw new Error('always fails');
    });
    await q.publisher.publish('record-drops', 'bad-payload', payload('x'));
    await q.publisher.publish('record-drops', 'always', payload('y'));
    await waitFor(() => calls.get('always') ?? 0, (n) => n >= JOB_ATTEMPTS, 20_000, 'all attempts');
    await settled(consumer);
    expect(calls.get('always')).toBe(JOB_ATTEMPTS);
    expect(calls.get('bad-payload')).toBe(1);
    await consumer.close();
  }, 30_000);

  it('refuses to publish past its backlog bound', async () => {
    const q = await queue(3);
    for (let i = 0; i < 3; i++) await q.publisher.publish('record-drops', `b${i}`, payload(`b${i}`));
    if (kind === 'bullmq') await sleep(1200); // the publisher refreshes its view of the backlog every second
    await expect(q.publisher.publish('record-drops', 'b3', payload('b3'))).rejects.toBeInstanceOf(QueueFullError);
  });

  it('ignores a second publish of an id in the same burst', async () => {
    const q = await queue();
    await Promise.all([q.publisher.publish('record-drops', 'twice', payload('a')), q.publisher.publish('record-drops', 'twice', payload('b'))]);
    const seen: AnyJob[] = [];
    const consumer = q.consumer({ concurrency: 1 });
    consumer.start(async (job) => {
      seen.push(job);
    });
    await waitFor(() => seen.length, (n) => n >= 1, 10_000);
    await settled(consumer);
    expect(seen.map((j) => (j.payload as RecordDropsPayload).reportId)).toEqual(['a']);
    await consumer.close();
  });

  it('refuses to publish past its bytes bound, counting the captured bodies', async () => {
    const q = await queue(1000, 3000);
    expect(exchangeBytes(exchangeOf('x', 1000).exchange)).toBe(1000);
    // A burst: the embedded queue holds the jobs, the BullMQ publisher has them in its batch.
    const outcomes = await Promise.allSettled(['e1', 'e2', 'e3', 'e4'].map((id) => q.publisher.publish('compare-exchange', id, exchangeOf(id, 1000))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(QueueFullError);
    // A drop report carries no bodies: it still fits.
    await q.publisher.publish('record-drops', 'report', payload('r'));
  });
});
