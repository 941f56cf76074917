/**
 * The production queue: BullMQ on Redis. Several ingress replicas publish and several comparator
 * processes consume through one Redis.
 *
 * The publisher never waits for Redis: its connection has no offline queue, so while Redis is down
 * a publish fails at once and the ingress counts the pair as dropped; ioredis keeps reconnecting
 * and publishing resumes by itself. Publishes go out in micro-batches, one addBulk each
 * (publish-batcher.ts).
 */
import { jobBytes } from './job-bytes.js';
import { PublishBatcher } from './publish-batcher.js';
import { withoutBodies } from './retained-job.js';
import { fromWire, toWire } from './wire-payload.js';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  JOB_ATTEMPTS,
  JOB_BACKOFF_MS,
  JOB_NAMES,
  QUEUE_NAME,
  type AnyJob,
  type JobName,
  type JobPayloads,
} from '../exchange/contracts.js';
import type { JobConsumer, JobHandler, JobPublisher, JobQueue } from './queue.js';
import { QueueFullError, QueueUnavailableError } from './queue-errors.js';

export interface BullmqQueueOptions {
  url: string;
  /** Key prefix in Redis (its default is the option table's); tests use a random one. */
  prefix: string;
  /** Waiting jobs past which the publisher refuses (the pair is dropped): Redis memory stays bounded. */
  maxBacklog: number;
  /**
   * Bytes of the jobs this process has collected or has in flight to Redis, at most (job-bytes.ts);
   * past it a publish is refused. Unbounded when absent.
   */
  maxBacklogBytes?: number;
  /** How long a worker's lock on a job lasts; a killed worker's job is redelivered after it. */
  lockMs: number;
  /** A batch that takes longer than this is counted as failed, each of its publishes. */
  publishTimeoutMs?: number;
  /** A batch is sent once it holds this many jobs (default 64)... */
  batchMaxJobs?: number;
  /** ...or this long after its first job (default 1 ms). */
  batchLingerMs?: number;
  onFailed?: (job: { id?: string; name: string }, error: unknown) => void;
  /** The first retry's delay, doubled at each next one (default JOB_BACKOFF_MS); tests shorten it. */
  backoffMs?: number;
  /** How often a job may stall (its worker killed on it) before BullMQ gives up on it (default 10). */
  maxStalledCount?: number;
}

/** A job redelivered after its worker was killed is still a good job, this many times. */
const MAX_STALLED_COUNT = 10;

/** Micro-batches: sent at this many jobs, or this long after their first. */
const BATCH_MAX_JOBS = 64;
const BATCH_LINGER_MS = 1;

const KNOWN_JOB_NAMES = new Set<string>(Object.values(JOB_NAMES));

/** Ids addBulk would refuse, failing the whole batch with them: refused alone, as add refused them. */
function refusedJobId(id: string): boolean {
  return `${Number.parseInt(id, 10)}` === id || (id.includes(':') && id.split(':').length !== 3);
}

function reconnectDelay(times: number): number {
  return Math.min(100 * times, 2000);
}

export function createBullmqQueue(opts: BullmqQueueOptions): JobQueue {
  const { prefix, lockMs } = opts;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 2_000;

  const producerConnection = new Redis(opts.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
  });
  // ioredis reports every failed reconnect; the publisher's state says enough.
  producerConnection.on('error', () => {});

  const queue = new Queue(QUEUE_NAME, {
    connection: producerConnection,
    prefix,
    defaultJobOptions: {
      attempts: JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? JOB_BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    },
  });
  queue.on('error', () => {});

  let waitingEstimate = 0;
  const backlogPoll = setInterval(() => {
    if (producerConnection.status !== 'ready') return;
    queue
      .getWaitingCount()
      .then((n) => {
        waitingEstimate = n;
      })
      .catch(() => {});
  }, 1000);
  backlogPoll.unref();

  const batcher = new PublishBatcher(
    (jobs) => queue.addBulk(jobs.map((j) => ({ name: j.name, data: toWire(j.name, j.payload), opts: { jobId: j.id } }))),
    {
      maxJobs: opts.batchMaxJobs ?? BATCH_MAX_JOBS,
      lingerMs: opts.batchLingerMs ?? BATCH_LINGER_MS,
      timeoutMs: publishTimeoutMs,
      maxBytes: opts.maxBacklogBytes ?? Number.POSITIVE_INFINITY,
    },
  );

  const publisher: JobPublisher = {
    async publish<N extends JobName>(name: N, id: string, payload: JobPayloads[N]) {
      if (producerConnection.status !== 'ready') throw new QueueUnavailableError(`redis is ${producerConnection.status}`);
      // Jobs not yet in Redis count too: a burst cannot overshoot the bound by a poll's worth.
      const waiting = waitingEstimate + batcher.jobs;
      if (waiting >= opts.maxBacklog) throw new QueueFullError(`queue holds ${waiting} waiting jobs`);
      if (refusedJobId(id)) throw new QueueUnavailableError(`job id ${JSON.stringify(id)} is refused by BullMQ`);
      await batcher.add({ name, id, payload }, jobBytes(name, payload));
    },
    isAvailable: () => producerConnection.status === 'ready',
    async close() {
      clearInterval(backlogPoll);
      await batcher.close();
      await queue.close().catch(() => {});
      producerConnection.disconnect();
    },
  };

  async function countBacklog(): Promise<number> {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /**
   * A job BullMQ failed without running it (a deferred failure: it stalled past maxStalledCount)
   * never reached the handler, which is what counts a pair: it goes there once, marked abandoned.
   * The bodies are stripped after, as from every job kept in the failed set.
   */
  async function counted(job: Job, handler: JobHandler): Promise<void> {
    if (!job.deferredFailure || job.id === undefined || !KNOWN_JOB_NAMES.has(job.name)) return;
    const abandoned = { name: job.name, id: job.id, payload: fromWire(job.name, job.data), attempt: job.attemptsMade, abandoned: job.deferredFailure } as AnyJob;
    await handler(abandoned).catch(() => {});
  }

  function consumer({ concurrency }: { concurrency: number }): JobConsumer {
    let worker: Worker | null = null;
    let workerConnection: Redis | null = null;
    let closing = false;
    return {
      start(handler) {
        workerConnection = new Redis(opts.url, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
        workerConnection.on('error', () => {});
        worker = new Worker(
          QUEUE_NAME,
          async (job) => {
            if (!KNOWN_JOB_NAMES.has(job.name) || job.id === undefined) {
              throw new UnrecoverableError(`unknown job ${job.name}`);
            }
            await handler({ name: job.name, id: job.id, payload: fromWire(job.name, job.data), attempt: job.attemptsMade } as AnyJob);
          },
          {
            connection: workerConnection,
            prefix,
            concurrency,
            lockDuration: lockMs,
            stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
            maxStalledCount: opts.maxStalledCount ?? MAX_STALLED_COUNT,
          },
        );
        worker.on('error', () => {});
        worker.on('failed', (job, error) => {
          if (!job || (job.attemptsMade < JOB_ATTEMPTS && !(error instanceof UnrecoverableError))) return;
          opts.onFailed?.({ id: job.id, name: job.name }, error);
          void counted(job, handler).then(() => job.updateData(withoutBodies(job.data)).catch(() => {}));
        });
      },
      async close() {
        closing = true;
        await worker?.close();
        workerConnection?.disconnect();
      },
      // BullMQ's own flag stays up after close(): the consumer's word is final once it closes.
      isRunning: () => !closing && (worker?.isRunning() ?? false),
      backlog: countBacklog,
    };
  }

  return {
    kind: 'bullmq',
    publisher,
    consumer,
    async ping() {
      try {
        return (await producerConnection.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async ready(timeoutMs) {
      if (producerConnection.status === 'ready') return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          producerConnection.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        producerConnection.once('ready', onReady);
      });
    },
    async close() {
      await publisher.close();
    },
  };
}
