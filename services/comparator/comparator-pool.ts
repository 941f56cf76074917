/**
 * Comparator threads fed by the main thread's queue consumer: the handler hands each job to the
 * least busy thread and awaits its answer, so comparisons and store writes run off the loop that
 * serves the ingress and the report API. The queue keeps its whole contract (dedupe, backlog
 * bound, retries, UnrecoverableError): a thread answers done or failed, and a thread that dies
 * fails its jobs, which the queue retries on its replacement.
 *
 * Written on node:worker_threads rather than piscina: a thread here must close its store after its
 * last batch (piscina ends workers without a teardown step), move bodies back with a failed job
 * (piscina sends errors as clones, without a transfer list), and fail `start` when it cannot open
 * the store (piscina starts its workers lazily).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { UnrecoverableError } from 'bullmq';
import { ERROR_CLASSES, isErrorCode } from '../../libs/errors.js';
import type { Logger } from '../../libs/logger.js';
import type { AnyJob } from '../../libs/exchange/contracts.js';
import { restoreBodies, transferableJob, withBodiesLost } from '../../libs/exchange/transfer-list.js';
import type { FromThread, ThreadData, ThreadError, ToThread } from './thread-protocol.js';

export interface ThreadInfo {
  threadId: number;
  /** Jobs posted to it and not answered yet. */
  inFlight: number;
  /** Jobs it answered done. */
  handled: number;
}

export interface ComparatorPool {
  handle(job: AnyJob): Promise<void>;
  threads(): ThreadInfo[];
  /** Jobs answered done by all threads, past ones included. */
  handled(): number;
  /** Ends a thread as a crash would: its jobs fail (and are retried), a new thread takes its place. */
  crash(threadId: number): Promise<void>;
  /** Threads finish their jobs, close their stores and exit. */
  close(): Promise<void>;
}

export interface PoolOptions {
  size: number;
  data: ThreadData;
  logger: Logger;
}

interface Pending {
  job: AnyJob;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  threadId: number;
  pending: Map<number, Pending>;
  handled: number;
  closing: boolean;
  ready: Promise<void>;
  exited: Promise<void>;
}

/** A thread that failed to start is started again after this, doubling up to a few seconds. */
const RESTART_DELAY_MS = 100;
const RESTART_DELAY_MAX_MS = 5000;

/**
 * Set by the test suite's setup, which keeps dist/ current (test/support/build-dist.ts): threads
 * started from the TypeScript sources load the compiled build, half a second sooner than through tsx.
 */
export const THREADS_FROM_DIST_ENV = 'SHADOW_DIFF_DEV_THREADS_FROM_DIST';

/** The thread's entry: compiled JavaScript, or the TypeScript source under tsx (and vitest), loaded through tsx. */
function spawn(data: ThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./comparator-thread.js', here), { workerData: data });
  if (process.env[THREADS_FROM_DIST_ENV] === '1') return new Worker(new URL('../../dist/services/comparator/comparator-thread.js', here), { workerData: data });
  // The ESM build of tsx's API (require.resolve finds its CommonJS twin beside it).
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./comparator-thread.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

function errorFrom(e: ThreadError): Error {
  const error = e.unrecoverable ? new UnrecoverableError(e.message) : new Error(e.message);
  if (e.code) Object.assign(error, { code: e.code });
  return error;
}

export async function startComparatorPool(opts: PoolOptions): Promise<ComparatorPool> {
  const threads: Thread[] = [];
  /** Exchanges whose bodies are in a thread right now; after a crash, gone. */
  const moved = new WeakSet<object>();
  let seq = 0;
  let pastHandled = 0;
  let closing = false;
  let restartDelay = RESTART_DELAY_MS;
  let waiters: (() => void)[] = [];

  function startThread(index: number): Thread {
    // Retention runs in the first thread only: one purge at a time over the store.
    const data = index === 0 ? opts.data : { ...opts.data, retention: null };
    const worker = spawn(data);
    const t: Thread = { worker, threadId: worker.threadId, pending: new Map(), handled: 0, closing: false, ready: Promise.resolve(), exited: Promise.resolve() };
    let started: (error?: unknown) => void = () => {};
    t.ready = new Promise<void>((resolve, reject) => (started = (error) => (error === undefined ? resolve() : reject(error))));
    worker.on('message', (m: FromThread) => {
      if (m.type === 'ready') {
        restartDelay = RESTART_DELAY_MS;
        started();
      } else if (m.type === 'start-failed') {
        // A coded start failure (the store cannot be opened) comes back as its own class, for the CLI to report.
        started(isErrorCode(m.error.code) ? new ERROR_CLASSES[m.error.code](m.error.message) : errorFrom(m.error));
      } else if (m.type === 'done' || m.type === 'failed') {
        answer(t, m);
      }
    });
    t.ready.catch((error: unknown) => opts.logger.error({ err: error, thread: t.threadId }, 'comparator thread could not start'));
    t.exited = new Promise<void>((resolve) => {
      worker.on('error', (error) => {
        started(error);
        opts.logger.error({ err: error, thread: t.threadId }, 'comparator thread crashed');
      });
      worker.once('exit', (code) => {
        started(new Error(`comparator thread ${t.threadId} stopped (exit code ${code}) before it was ready`));
        onExit(t, index, code);
        resolve();
      });
    });
    return t;
  }

  function answer(t: Thread, m: Extract<FromThread, { type: 'done' | 'failed' }>): void {
    const p = t.pending.get(m.seq);
    if (!p) return;
    t.pending.delete(m.seq);
    const ex = exchangeObject(p.job);
    if (m.type === 'done') {
      t.handled++;
      p.resolve();
    } else {
      restoreBodies(p.job, m.job);
      p.reject(errorFrom(m.error));
    }
    if (ex) moved.delete(ex);
  }

  function onExit(t: Thread, index: number, code: number): void {
    pastHandled += t.handled;
    t.handled = 0;
    const failure = new Error(`comparator thread ${t.threadId} stopped (exit code ${code}) with the job in progress`);
    const jobs = t.pending.size;
    // Their bodies stay marked as moved: the retry counts the pair as comparator_error.
    for (const p of t.pending.values()) p.reject(failure);
    t.pending.clear();
    if (t.closing || closing) return;
    opts.logger.error({ thread: t.threadId, code, jobs }, 'comparator thread stopped; starting another, its jobs are retried');
    const delay = restartDelay;
    restartDelay = Math.min(restartDelay * 2, RESTART_DELAY_MAX_MS);
    const timer = setTimeout(() => {
      if (closing) return;
      threads[index] = startThread(index);
      wake();
    }, delay);
    timer.unref();
    threads[index] = { ...t, closing: true };
  }

  function wake(): void {
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  }

  /** The live thread with the fewest jobs in flight; waits while every thread is being restarted. */
  async function pick(): Promise<Thread> {
    for (;;) {
      let best: Thread | undefined;
      for (const t of threads) if (!t.closing && (!best || t.pending.size < best.pending.size)) best = t;
      if (best) return best;
      if (closing) throw new Error('the comparator threads are closing');
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  async function handle(job: AnyJob): Promise<void> {
    const t = await pick();
    const ex = exchangeObject(job);
    const n = ++seq;
    let message: ToThread;
    let transferList: ArrayBuffer[] = [];
    if (ex && moved.has(ex)) {
      opts.logger.warn({ job: job.id }, 'the bodies of this pair were lost with a comparator thread; counted as comparator_error');
      message = { type: 'job', seq: n, job: withBodiesLost(job) };
    } else {
      const out = transferableJob(job);
      message = { type: 'job', seq: n, job: out.job };
      transferList = out.transferList;
      if (ex && out.detaches) moved.add(ex);
    }
    return new Promise<void>((resolve, reject) => {
      t.pending.set(n, { job, resolve, reject });
      t.worker.postMessage(message, transferList);
    });
  }

  for (let i = 0; i < Math.max(1, opts.size); i++) threads.push(startThread(i));
  try {
    await Promise.all(threads.map((t) => t.ready));
  } catch (error) {
    closing = true;
    await Promise.all(threads.map((t) => t.worker.terminate()));
    throw error;
  }

  return {
    handle,
    threads: () => threads.filter((t) => !t.closing).map((t) => ({ threadId: t.threadId, inFlight: t.pending.size, handled: t.handled })),
    handled: () => pastHandled + threads.reduce((sum, t) => sum + t.handled, 0),
    async crash(threadId) {
      const t = threads.find((x) => x.threadId === threadId && !x.closing);
      if (t) await t.worker.terminate();
    },
    async close() {
      closing = true;
      wake();
      await Promise.all(
        threads.map(async (t) => {
          t.closing = true;
          const closed = new Promise<void>((resolve) => t.worker.on('message', (m: FromThread) => m.type === 'closed' && resolve()));
          t.worker.postMessage({ type: 'close' } satisfies ToThread);
          // A thread that does not finish in time is ended: its jobs were answered or are lost with it.
          await Promise.race([Promise.race([closed, t.exited]), new Promise((r) => setTimeout(r, 15_000).unref())]);
          await t.worker.terminate();
        }),
      );
    },
  };
}

function exchangeObject(job: AnyJob): object | null {
  if (job.name !== 'compare-exchange') return null;
  const ex = (job.payload as { exchange?: unknown } | null)?.exchange;
  return typeof ex === 'object' && ex !== null ? ex : null;
}
