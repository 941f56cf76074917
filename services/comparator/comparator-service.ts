/** The comparator process: takes exchange jobs from the queue and writes outcomes to the store. */
import type { Logger } from '../../libs/logger.js';
import type { JobConsumer, JobQueue } from '../../libs/queue/queue.js';
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

export function startComparator(opts: ComparatorOptions): ComparatorService {
  const handle = createJobHandler(opts.store, {
    ...opts.settings,
    onComparatorError: (job, stage, error) => {
      opts.settings.onComparatorError?.(job, stage, error);
      opts.metrics?.comparatorError();
      // The message only, first line, capped: a failed query's text carries its parameters.
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300);
      opts.logger.warn({ job: job.id, run: job.run, stage, error: message }, 'pair counted as skipped (comparator_error)');
    },
  });
  const consumer = opts.queue.consumer({ concurrency: opts.concurrency });
  let handled = 0;
  consumer.start(async (job) => {
    try {
      const { recorded } = await handle(job);
      handled++;
      opts.metrics?.jobHandled();
      if (!recorded) opts.logger.debug({ job: job.id, name: job.name }, 'job already recorded; redelivery ignored');
    } catch (error) {
      opts.metrics?.jobFailed();
      opts.logger.warn({ job: job.id, name: job.name, attempt: job.attempt, err: error }, 'job failed');
      throw error;
    }
  });
  return {
    consumer,
    handled: () => handled,
    close: () => consumer.close(),
  };
}
