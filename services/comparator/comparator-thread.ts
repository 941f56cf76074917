/**
 * A comparator thread: its own store connection, the very job handler of the comparator process
 * (so outcomes of concurrent jobs are still written one transaction per batch), and, in one thread
 * of a pool, retention. Jobs arrive with their bodies moved here (transfer-list.ts); a job that
 * fails moves them back, so its retry has them.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import { createLogger } from '../../libs/logger.js';
import { transferableJob } from '../../libs/exchange/transfer-list.js';
import type { JobHandler } from '../../libs/queue/queue.js';
import { openStore, type Store } from '../../libs/store/index.js';
import { comparatorSettings } from './comparator-settings.js';
import { createLoggedHandler } from './comparator-service.js';
import { startRetention } from './retention.js';
import { threadErrorOf, type FromThread, type ThreadData, type ToThread } from './thread-protocol.js';

if (!parentPort) throw new Error('comparator-thread.ts runs in a worker thread');
const port: MessagePort = parentPort;
const data = workerData as ThreadData;
const logger = createLogger(data.logLevel, 'comparator');
const say = (message: FromThread, transferList: ArrayBuffer[] = []) => port.postMessage(message, transferList);

interface Started {
  store: Store;
  handle: JobHandler;
  stopRetention: () => void;
}

async function start(): Promise<Started> {
  const store = await openStore(data.db);
  const key = Buffer.from(data.redactionKey.buffer, data.redactionKey.byteOffset, data.redactionKey.byteLength);
  const { handle } = createLoggedHandler(store, comparatorSettings(data.comparator, key), logger);
  const stopRetention = data.retention ? startRetention(data.retention, store, logger) : () => {};
  return { store, handle, stopRetention };
}

const started = start();
started.then(
  () => say({ type: 'ready' }),
  (error: unknown) => say({ type: 'start-failed', error: threadErrorOf(error, false) }),
);

const inFlight = new Set<Promise<void>>();

async function run(seq: number, job: Parameters<JobHandler>[0]): Promise<void> {
  try {
    const { handle } = await started;
    await handle(job);
    say({ type: 'done', seq });
  } catch (error) {
    const back = transferableJob(job);
    say({ type: 'failed', seq, error: threadErrorOf(error, error instanceof UnrecoverableError), job: back.job }, back.transferList);
  }
}

/** Jobs in progress finish (each settles once its batch has committed), then the store closes. */
async function close(): Promise<void> {
  await Promise.allSettled([...inFlight]);
  const s = await started.catch(() => null);
  if (s) {
    s.stopRetention();
    await s.store.close().catch((error: unknown) => logger.warn({ err: error }, 'comparator thread: closing the store failed'));
  }
  say({ type: 'closed' });
  port.close();
}

port.on('message', (message: ToThread) => {
  if (message.type === 'close') {
    void close();
    return;
  }
  const p = run(message.seq, message.job).finally(() => inFlight.delete(p));
  inFlight.add(p);
});
