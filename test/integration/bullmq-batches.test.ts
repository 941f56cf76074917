/**
 * The BullMQ publisher sends in micro-batches: one addBulk per batch on a real Redis, the default
 * job options on every job, and a batch that fails counts each of its pairs as dropped.
 */
import { fromWire } from '../../libs/queue/wire-payload.js';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { DropCounter } from '../../libs/capture/drop-counter.js';
import { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { JOB_ATTEMPTS, QUEUE_NAME } from '../../libs/exchange/contracts.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import type { Exchange } from '../../libs/exchange/exchange.js';
import { randomPrefix } from '../support/temp.js';

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of open.splice(0).reverse()) await close();
});

/** The publisher under test, and a plain BullMQ Queue that reads its jobs as Redis holds them (and removes them after). */
async function bullmq(extra: { maxBacklogBytes?: number } = {}): Promise<{ queue: JobQueue; held: Queue }> {
  const prefix = randomPrefix();
  const held = new Queue(QUEUE_NAME, { connection: { url: inject('redisUrl') }, prefix });
  open.push(async () => {
    await held.obliterate({ force: true });
    await held.close();
  });
  const queue = createBullmqQueue({ url: inject('redisUrl'), prefix, maxBacklog: 1000, lockMs: 2000, ...extra });
  open.push(() => queue.close());
  expect(await queue.ready(5000)).toBe(true);
  return { queue, held };
}

function exchange(id: string, bodyBytes = 0): Exchange {
  const body = { bytes: Buffer.alloc(bodyBytes, 'y'), size: bodyBytes, truncated: false };
  return {
    id,
    run: 'live',
    receivedAt: 1,
    request: { method: 'GET', url: `/items/${id}`, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
    primary: { status: 200, headers: {}, body, latencyMs: 1 },
    shadow: { status: 200, headers: {}, body, latencyMs: 1 },
    shadowError: null,
    skipReason: null,
  };
}

describe('BullMQ publisher batches', () => {
  it('sends a burst of publishes with one addBulk, each job with its id and the default job options', async () => {
    const { queue, held } = await bullmq();
    const addBulk = vi.spyOn(Queue.prototype, 'addBulk');
    const add = vi.spyOn(Queue.prototype, 'add');
    const ids = Array.from({ length: 20 }, (_, i) => `pair-${i}`);
    await Promise.all(ids.map((id) => queue.publisher.publish('compare-exchange', id, { v: 1, exchange: exchange(id) })));
    expect(addBulk).toHaveBeenCalledTimes(1);
    expect(addBulk.mock.calls[0]?.[0].map((j) => j.opts?.jobId)).toEqual(ids);
    expect(add).not.toHaveBeenCalled();

    expect(await held.getWaitingCount()).toBe(20);
    const job = await held.getJob('pair-7');
    // In Redis the bodies are base64 (wire-payload.ts); read back, the job is the one published.
    expect(fromWire('compare-exchange', job?.data)).toEqual({ v: 1, exchange: exchange('pair-7') });
    expect(job?.opts).toMatchObject({ attempts: JOB_ATTEMPTS, removeOnComplete: true, removeOnFail: { count: 10_000 } });
  });

  it('counts every pair of a batch Redis refuses as dropped (queue_unavailable)', async () => {
    const { queue, held } = await bullmq();
    vi.spyOn(Queue.prototype, 'addBulk').mockRejectedValueOnce(new Error('Connection is closed.'));
    const drops = new DropCounter(queue.publisher);
    const recorder = new ExchangeRecorder(queue.publisher, drops);
    await Promise.all(Array.from({ length: 5 }, (_, i) => recorder.record(exchange(`lost-${i}`))));
    expect(Object.fromEntries(drops.totals)).toEqual({ queue_unavailable: 5 });
    expect(recorder.published).toBe(0);
    // The next batch goes through.
    await recorder.record(exchange('kept'));
    expect(recorder.published).toBe(1);
    expect(await held.getWaitingCount()).toBe(1);
  });

  it('counts the pairs past its bytes as dropped (queue_backlog_limit)', async () => {
    const { queue, held } = await bullmq({ maxBacklogBytes: 5000 });
    const drops = new DropCounter(queue.publisher);
    const recorder = new ExchangeRecorder(queue.publisher, drops);
    // 2,000 bytes each: two fit in the publisher at once, the third does not.
    await Promise.all(['a', 'b', 'c'].map((id) => recorder.record(exchange(id, 1000))));
    expect(recorder.published).toBe(2);
    expect(Object.fromEntries(drops.totals)).toEqual({ queue_backlog_limit: 1 });
    expect(await held.getWaitingCount()).toBe(2);
  });
});
