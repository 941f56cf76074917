/** One suite, both queue implementations: the seam behaves the same whichever is behind it. */
import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { JOB_ATTEMPTS, type AnyJob, type RecordDropsPayload } from '../../libs/queue/contracts.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { QueueFullError } from '../../libs/queue/queue-errors.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { randomPrefix } from '../support/temp.js';
import { sleep, waitFor } from '../support/wait.js';

const factories: Record<string, (maxBacklog: number) => JobQueue> = {
  embedded: (maxBacklog) => createEmbeddedQueue({ maxBacklog, backoffMs: 10 }),
  bullmq: (maxBacklog) => createBullmqQueue({ url: inject('redisUrl'), prefix: randomPrefix(), maxBacklog, lockMs: 2000 }),
};

const payload = (reportId: string): RecordDropsPayload => ({ v: 1, reportId, run: 'live', counts: { queue_unavailable: 1 } });

describe.each(Object.keys(factories))('%s queue', (kind) => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    for (const q of open.splice(0)) await q.close();
  });

  async function queue(maxBacklog = 1000): Promise<JobQueue> {
    const q = (factories[kind] as (n: number) => JobQueue)(maxBacklog);
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
    await sleep(200);
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
    await sleep(300);
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
    await sleep(500);
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
});
