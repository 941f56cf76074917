/**
 * Job contracts: the only shapes that cross the queue. Both queue implementations
 * (BullMQ and embedded) carry exactly these payloads, named by these constants.
 */
import type { DropReason, Exchange } from './exchange.js';

/** Bumped when a payload changes incompatibly; a worker rejects versions it does not know. */
export const JOB_CONTRACT_VERSION = 1;

export const QUEUE_NAME = 'shadow-diff-exchanges';

export const JOB_NAMES = {
  compareExchange: 'compare-exchange',
  recordDrops: 'record-drops',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export interface CompareExchangePayload {
  v: typeof JOB_CONTRACT_VERSION;
  exchange: Exchange;
}

/** Pairs lost before the queue, reported once the queue answers again. */
export interface RecordDropsPayload {
  v: typeof JOB_CONTRACT_VERSION;
  /** Unique per report, so a redelivered report is counted once. */
  reportId: string;
  run: string;
  counts: Partial<Record<DropReason, number>>;
}

export interface JobPayloads {
  'compare-exchange': CompareExchangePayload;
  'record-drops': RecordDropsPayload;
}

export type AnyJob = {
  [N in JobName]: {
    name: N;
    id: string;
    payload: JobPayloads[N];
    attempt: number;
    /**
     * Why the queue gave up on this job without letting a handler try it (BullMQ: it stalled more
     * than its limit, its workers killed on it). The handler counts it, without comparing again.
     */
    abandoned?: string;
  };
}[JobName];

/** Retry policy shared by both queues. */
export const JOB_ATTEMPTS = 5;
export const JOB_BACKOFF_MS = 500;
