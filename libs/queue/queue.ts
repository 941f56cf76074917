/** One interface for the seam between the ingress and the comparator; two implementations. */
import type { AnyJob, JobName, JobPayloads } from '../exchange/contracts.js';

export interface JobPublisher {
  /**
   * Enqueue one job. Rejects quickly (never waits for a queue that is down), so the caller can
   * count the pair as dropped. The job id makes the add idempotent.
   */
  publish<N extends JobName>(name: N, id: string, payload: JobPayloads[N]): Promise<void>;
  /** True when the queue is reachable right now. */
  isAvailable(): boolean;
  close(): Promise<void>;
}

export type JobHandler = (job: AnyJob) => Promise<void>;

export interface JobConsumer {
  /** Starts taking jobs; a handler that throws is retried with backoff, an UnrecoverableError is not. */
  start(handler: JobHandler): void;
  /** Stops taking new jobs and waits for the ones in progress. */
  close(): Promise<void>;
  /** True between start() and close(): the consumer takes jobs (health checks read it). */
  isRunning(): boolean;
  /** Jobs waiting or in progress: used by health checks and tests. */
  backlog(): Promise<number>;
}

export interface JobQueue {
  readonly kind: 'bullmq' | 'embedded';
  publisher: JobPublisher;
  consumer(opts: { concurrency: number }): JobConsumer;
  ping(): Promise<boolean>;
  /** Resolves true once the queue is reachable, false after timeoutMs: a caller may start without it. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}
