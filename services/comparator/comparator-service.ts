/** The comparator process: takes exchange jobs from the queue and writes outcomes to the store. */
import type { Logger } from '../../libs/logger.js';
import type { JobConsumer, JobHandler, JobQueue } from '../../libs/queue/queue.js';
import type { Store } from '../../libs/store/index.js';
import type { ComparatorMetrics } from './comparator-metrics.js';
import { createJobHandler, type ComparatorSettings } from './handle-job.js';

export interface ComparatorOptions {
  queue: JobQueue;
  store: Store;
  concurrency: number;
  settings: ComparatorSettings;
  logger: Logger;
  /** Counted when given (the comparator command's admin port serves them). */
  metrics?: ComparatorMetrics | undefined;
}

export interface ComparatorService {
  consumer: JobConsumer;
  /** Jobs handled by this process, redeliveries included. */
  handled(): number;
  close(): Promise<void>;
}

/** The job handler with its logs (and counters, when given): what the comparator process and a comparator thread both run. */
export function createLoggedHandler(
  store: Store,
  settings: ComparatorSettings,
  logger: Logger,
  metrics?: ComparatorMetrics,
): { handle: JobHandler; handled(): number } {
  const handle = createJobHandler(store, {
    ...settings,
    onComparatorError: (job, stage, error) => {
      settings.onComparatorError?.(job, stage, error);
      metrics?.comparatorError();
      // The message only, first line, capped: a failed query's text carries its parameters.
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300);
      logger.warn({ job: job.id, run: job.run, stage, error: message }, 'pair counted as skipped (comparator_error)');
    },
  });
  let handled = 0;
  return {
    handled: () => handled,
    async handle(job) {
      try {
        const { recorded } = await handle(job);
        handled++;
        metrics?.jobHandled();
        if (!recorded) logger.debug({ job: job.id, name: job.name }, 'job already recorded; redelivery ignored');
      } catch (error) {
        metrics?.jobFailed();
        logger.warn({ job: job.id, name: job.name, attempt: job.attempt, err: error }, 'job failed');
        throw error;
      }
    },
  };
}

export function startComparator(opts: ComparatorOptions): ComparatorService {
  const { handle, handled } = createLoggedHandler(opts.store, opts.settings, opts.logger, opts.metrics);
  const consumer = opts.queue.consumer({ concurrency: opts.concurrency });
  consumer.start(handle);
  return {
    consumer,
    handled,
    close: () => consumer.close(),
  };
}
