/**
 * The BullMQ setups' Redis side: a random key prefix per setup (the benchmark never touches another
 * deployment's queue on a shared Redis), the queue's backlog as BullMQ counts it, and the removal of
 * every key under the prefix afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../../libs/exchange/contracts.js';
import type { QueueTarget } from './servers.js';

export const randomQueuePrefix = (): string => `sdbench-${randomBytes(6).toString('hex')}`;

/** Jobs waiting, running or waiting for a retry in the setup's queue. */
export async function queueBacklog(target: QueueTarget): Promise<number> {
  const connection = new Redis(target.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
  connection.on('error', () => {});
  const queue = new Queue(QUEUE_NAME, { connection, prefix: target.prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

/** Deletes every key under the prefix; returns how many. */
export async function removeQueueKeys(target: QueueTarget): Promise<number> {
  // A prefix with glob characters would reach other keys: ours never has any.
  if (!/^[\w-]+$/.test(target.prefix)) throw new Error(`refusing to delete keys under the prefix ${JSON.stringify(target.prefix)}`);
  const redis = new Redis(target.redis, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${target.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}
