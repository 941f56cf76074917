/** What the main thread and a comparator thread say to each other (comparator-pool.ts, comparator-thread.ts). */
import type { AnyJob } from '../../libs/exchange/contracts.js';
import type { ComparatorConfig } from './comparator-settings.js';
import type { RetentionConfig } from './retention.js';

/** Everything a thread needs, as plain data: it opens its own store and builds its settings from it. */
export interface ThreadData {
  /** The store: a SQLite file or a postgres:// URL (config.db). */
  db: string;
  /** The store's redaction key, read by the main thread: the same hashes whatever thread redacts. */
  redactionKey: Uint8Array;
  comparator: ComparatorConfig;
  /** Set for one thread of a pool: retention's writes run off the main thread too. */
  retention: RetentionConfig | null;
  logLevel: string;
}

/** An error that crossed the thread boundary (an Error's class does not survive a postMessage). */
export interface ThreadError {
  message: string;
  /** The job must not be retried (UnrecoverableError). */
  unrecoverable: boolean;
  code?: string;
}

export type ToThread = { type: 'job'; seq: number; job: AnyJob } | { type: 'close' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'start-failed'; error: ThreadError }
  | { type: 'done'; seq: number }
  /** `job`: the job with its bodies moved back, so the retry has them. */
  | { type: 'failed'; seq: number; error: ThreadError; job: AnyJob }
  | { type: 'closed' };

export function threadErrorOf(error: unknown, unrecoverable: boolean): ThreadError {
  const code = (error as { code?: unknown } | null)?.code;
  return { message: error instanceof Error ? error.message : String(error), unrecoverable, ...(typeof code === 'string' ? { code } : {}) };
}
