/** `start`'s comparator: the queue's consumer on the main thread, the comparisons and writes in a pool of threads. */
import os from 'node:os';
import type { Logger } from '../../libs/logger.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { startComparatorPool, type ComparatorPool } from './comparator-pool.js';
import type { ComparatorService } from './comparator-service.js';
import type { ThreadData } from './thread-protocol.js';

export interface ThreadedComparator extends ComparatorService {
  pool: ComparatorPool;
}

/** --comparator-threads unset: the cores the machine has beside the main thread's, at least one. */
export const defaultComparatorThreads = () => Math.max(1, os.availableParallelism() - 1);

export async function startThreadedComparator(opts: {
  queue: JobQueue;
  threads: number;
  /** Jobs per thread at once (--comparator-concurrency): each thread batches its outcomes' writes. */
  concurrency: number;
  data: ThreadData;
  logger: Logger;
}): Promise<ThreadedComparator> {
  const pool = await startComparatorPool({ size: opts.threads, data: opts.data, logger: opts.logger });
  const consumer = opts.queue.consumer({ concurrency: opts.concurrency * opts.threads });
  consumer.start((job) => pool.handle(job));
  return {
    consumer,
    pool,
    handled: () => pool.handled(),
    async close() {
      await consumer.close();
      await pool.close();
    },
  };
}
