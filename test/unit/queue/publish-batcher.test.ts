import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PublishBatcher, type BatchJob } from '../../../libs/queue/publish-batcher.js';
import { QueueFullError, QueueUnavailableError } from '../../../libs/queue/queue-errors.js';

const job = (i: number): BatchJob => ({ name: 'record-drops', id: `job-${i}`, payload: { i } });

/** A send whose calls the test sees and answers. */
function recordingSend() {
  const calls: { jobs: BatchJob[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const send = (jobs: BatchJob[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ jobs, resolve, reject });
    });
  return { calls, send };
}

const OPTS = { maxJobs: 64, lingerMs: 1, timeoutMs: 2000, maxBytes: 10_000 };

describe('PublishBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('sends the publishes of a moment in one batch, and each resolves with it', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, OPTS);
    const published = Array.from({ length: 10 }, (_, i) => b.add(job(i), 10));
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.jobs.map((j) => j.id))).toEqual([Array.from({ length: 10 }, (_, i) => `job-${i}`)]);
    expect(b.jobs).toBe(10);
    calls[0]?.resolve();
    await expect(Promise.all(published)).resolves.toHaveLength(10);
    expect(b.jobs).toBe(0);
    expect(b.bytes).toBe(0);
  });

  it('sends a batch as soon as it is full, and creates no timer per publish', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, OPTS);
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const published = Array.from({ length: 200 }, (_, i) => b.add(job(i), 1));
    // 64, 64, 64 went at once; the last 8 wait for their linger.
    expect(calls.map((c) => c.jobs.length)).toEqual([64, 64, 64]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.jobs.length)).toEqual([64, 64, 64, 8]);
    for (const c of calls) c.resolve();
    await Promise.all(published);
    // One linger timer per batch at most: never one per publish.
    expect(timeouts.mock.calls.length).toBeLessThanOrEqual(calls.length);
  });

  it('fails every publish of a batch the queue refuses, as unavailable', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, OPTS);
    const published = Array.from({ length: 5 }, (_, i) => b.add(job(i), 10).then(() => 'ok', (e: unknown) => e));
    await vi.advanceTimersByTimeAsync(1);
    calls[0]?.reject(new Error('Connection is closed.'));
    const outcomes = await Promise.all(published);
    expect(outcomes).toHaveLength(5);
    for (const o of outcomes) {
      expect(o).toBeInstanceOf(QueueUnavailableError);
      expect((o as Error).message).toBe('Connection is closed.');
    }
    expect(b.bytes).toBe(0);
  });

  it('fails a batch unanswered within the timeout, and refuses more publishes until the queue answers', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, OPTS);
    const first = b.add(job(1), 100).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(OPTS.timeoutMs * 1.25);
    const error = await first;
    expect(error).toBeInstanceOf(QueueUnavailableError);
    expect((error as Error).message).toBe('publish timed out');
    // The bytes are still held by the unanswered send; nothing piles on behind it.
    expect(b.bytes).toBe(100);
    await expect(b.add(job(2), 1)).rejects.toBeInstanceOf(QueueUnavailableError);
    calls[0]?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.bytes).toBe(0);
    const next = b.add(job(3), 1);
    await vi.advanceTimersByTimeAsync(1);
    calls[1]?.resolve();
    await expect(next).resolves.toBeUndefined();
  });

  it('refuses a publish past its bytes (collected or in flight) as full, and takes more once a batch is answered', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, { ...OPTS, maxBytes: 1000 });
    const a = b.add(job(1), 600);
    await expect(b.add(job(2), 500)).rejects.toBeInstanceOf(QueueFullError);
    const c = b.add(job(3), 400);
    await vi.advanceTimersByTimeAsync(1);
    // In flight, still held.
    await expect(b.add(job(4), 1)).rejects.toBeInstanceOf(QueueFullError);
    calls[0]?.resolve();
    await Promise.all([a, c]);
    const d = b.add(job(5), 1000);
    await vi.advanceTimersByTimeAsync(1);
    calls[1]?.resolve();
    await expect(d).resolves.toBeUndefined();
  });

  it('close sends what is collected and waits for the answer', async () => {
    const { calls, send } = recordingSend();
    const b = new PublishBatcher(send, OPTS);
    const published = b.add(job(1), 1);
    const closed = b.close();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await closed;
    await expect(published).resolves.toBeUndefined();
  });
});
