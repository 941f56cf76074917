/**
 * In-process queue with the BullMQ contract: same job names and payloads, job id dedupe,
 * retries with exponential backoff, UnrecoverableError honoured. It serves one process only
 * (`shadow-diff start` without Redis); nothing here is used on the BullMQ path.
 */
import { UnrecoverableError } from 'bullmq';
import { JOB_ATTEMPTS, JOB_BACKOFF_MS, type AnyJob, type JobName, type JobPayloads } from '../exchange/contracts.js';
import { jobBytes } from './job-bytes.js';
import type { JobConsumer, JobHandler, JobPublisher, JobQueue } from './queue.js';
import { QueueFullError } from './queue-errors.js';

export interface EmbeddedQueueOptions {
  /** Jobs waiting, retrying or in progress; past it publish rejects and the pair is dropped. */
  maxBacklog: number;
  /** Bytes of those jobs (their bodies, job-bytes.ts) at most; past it publish rejects. Unbounded when absent. */
  maxBacklogBytes?: number;
  onFailed?: (job: AnyJob, error: unknown) => void;
  backoffMs?: number;
}

export function createEmbeddedQueue(opts: EmbeddedQueueOptions): JobQueue {
  const waiting: AnyJob[] = [];
  /** Each job held (waiting, retrying or in progress), with its bytes. */
  const known = new Map<string, number>();
  let heldBytes = 0;
  const maxBytes = opts.maxBacklogBytes ?? Number.POSITIVE_INFINITY;
  let consumerWake: (() => void) | null = null;
  let closed = false;
  const backoffMs = opts.backoffMs ?? JOB_BACKOFF_MS;

  const publisher: JobPublisher = {
    async publish<N extends JobName>(name: N, id: string, payload: JobPayloads[N]) {
      if (closed) throw new QueueFullError('embedded queue is closed');
      if (known.has(id)) return; // same id already queued: BullMQ ignores it too
      if (known.size >= opts.maxBacklog) throw new QueueFullError(`embedded queue holds ${known.size} jobs`);
      const bytes = jobBytes(name, payload);
      if (heldBytes + bytes > maxBytes) throw new QueueFullError(`embedded queue holds ${heldBytes} bytes (at most ${maxBytes})`);
      known.set(id, bytes);
      heldBytes += bytes;
      waiting.push({ name, id, payload, attempt: 0 } as AnyJob);
      consumerWake?.();
    },
    isAvailable: () => !closed,
    async close() {},
  };

  function forget(id: string): void {
    heldBytes -= known.get(id) ?? 0;
    known.delete(id);
  }

  function consumer({ concurrency }: { concurrency: number }): JobConsumer {
    let started = false;
    let stopping = false;
    const active = new Set<Promise<void>>();
    const retryTimers = new Set<NodeJS.Timeout>();
    let idle: Promise<void> | null = null;

    async function runOne(job: AnyJob, handler: JobHandler): Promise<void> {
      try {
        await handler(job);
        forget(job.id);
      } catch (error) {
        const attempt = job.attempt + 1;
        if (error instanceof UnrecoverableError || attempt >= JOB_ATTEMPTS || stopping) {
          forget(job.id);
          opts.onFailed?.(job, error);
          return;
        }
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          waiting.push({ ...job, attempt } as AnyJob);
          consumerWake?.();
        }, backoffMs * 2 ** (attempt - 1));
        retryTimers.add(timer);
      }
    }

    function pump(handler: JobHandler): void {
      while (!stopping && active.size < concurrency && waiting.length > 0) {
        const job = waiting.shift() as AnyJob;
        const p = runOne(job, handler).finally(() => {
          active.delete(p);
          // The next job waits for a turn of the event loop: a backlog of comparisons must not keep
          // the ingress sharing this process from its sockets.
          setImmediate(() => pump(handler));
        });
        active.add(p);
      }
    }

    return {
      start(handler) {
        started = true;
        consumerWake = () => setImmediate(() => pump(handler));
        pump(handler);
      },
      async close() {
        stopping = true;
        consumerWake = null;
        for (const t of retryTimers) clearTimeout(t);
        idle = Promise.all(active).then(() => undefined);
        await idle;
      },
      isRunning: () => started && !stopping,
      async backlog() {
        return known.size;
      },
    };
  }

  return {
    kind: 'embedded',
    publisher,
    consumer,
    async ping() {
      return !closed;
    },
    async ready() {
      return !closed;
    },
    async close() {
      closed = true;
    },
  };
}
