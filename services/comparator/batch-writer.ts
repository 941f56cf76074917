/**
 * Outcomes of concurrent jobs written together: one transaction per batch (up to `maxBatch`
 * outcomes, or whatever arrived within `delayMs` of the first), which is what makes the write cost
 * per exchange small. Each job's promise settles once its batch has committed, so a job is only
 * acknowledged to the queue when its outcome is stored. A failing batch is retried outcome by
 * outcome: one bad outcome fails alone, and its job counts it as comparator_error.
 */
import { recordBatch, type ExchangeOutcome, type Store } from '../../libs/store/index.js';

export type RecordBatch = (store: Store, outcomes: readonly ExchangeOutcome[]) => Promise<boolean[]>;

export interface BatchWriterOptions {
  /** Outcomes per transaction at most. */
  maxBatch?: number;
  /** How long the first outcome of a batch waits for others. */
  delayMs?: number;
  /** The write itself; replaceable so tests can inject store faults. */
  record?: RecordBatch;
  /**
   * How many jobs may still write (those in flight): once as many outcomes wait, none can join the
   * batch, so it is written at once instead of after `delayMs`.
   */
  inFlight?: () => number;
}

export const DEFAULT_MAX_BATCH = 256;
export const DEFAULT_BATCH_DELAY_MS = 5;

interface Pending {
  outcome: ExchangeOutcome;
  resolve: (recorded: boolean) => void;
  reject: (error: unknown) => void;
}

export interface BatchWriter {
  /** Resolves to true when the exchange was new, false for a redelivery; rejects when it could not be stored. */
  write(outcome: ExchangeOutcome): Promise<boolean>;
  /** Writes what is waiting now. */
  flush(): Promise<void>;
  /** Writes what is waiting if no job in flight can add to it (call when a job ends without writing). */
  settle(): void;
}

export function createBatchWriter(store: Store, opts: BatchWriterOptions = {}): BatchWriter {
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  const delayMs = opts.delayMs ?? DEFAULT_BATCH_DELAY_MS;
  const record = opts.record ?? recordBatch;
  let waiting: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;

  async function commit(batch: Pending[]): Promise<void> {
    try {
      const recorded = await record(store, batch.map((p) => p.outcome));
      batch.forEach((p, i) => p.resolve(recorded[i] ?? false));
      return;
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
    }
    // One by one, in order: the outcomes that can be stored are, each in its own transaction.
    for (const p of batch) {
      try {
        p.resolve((await record(store, [p.outcome]))[0] ?? false);
      } catch (error) {
        p.reject(error);
      }
    }
  }

  const complete = (): boolean => opts.inFlight !== undefined && waiting.length >= opts.inFlight();

  /**
   * A complete batch is written on the loop's next turn, not at once: a synchronous store would
   * otherwise chain commit, acknowledgements and the next jobs without ever letting I/O in.
   */
  function soon(): void {
    immediate ??= setImmediate(() => void take());
  }

  function take(): Promise<void> {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = null;
    immediate = null;
    const batch = waiting;
    waiting = [];
    return batch.length === 0 ? Promise.resolve() : commit(batch);
  }

  return {
    write(outcome) {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ outcome, resolve, reject });
        if (waiting.length >= maxBatch) void take();
        else if (complete()) soon();
        // One timer per batch, armed by its first outcome.
        else if (!timer) timer = setTimeout(() => void take(), delayMs);
      });
    },
    flush: take,
    settle() {
      if (waiting.length > 0 && complete()) soon();
    },
  };
}
