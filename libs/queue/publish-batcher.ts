/**
 * Micro-batches for a queue that takes jobs in bulk (BullMQ's addBulk): a publish waits at most
 * lingerMs, or until maxJobs are collected, and its batch goes out in one round trip. There is one
 * timer per batch at most and none per job; the publish timeout applies to a batch, and one sweeper
 * checks it for every batch in flight. Each publish settles with its batch.
 *
 * Memory: the jobs collected or being sent hold at most maxBytes (their bodies' captured bytes,
 * job-bytes.ts); past it a publish is refused at once (QueueFullError).
 */
import type { JobName } from '../exchange/contracts.js';
import { QueueFullError, QueueUnavailableError } from './queue-errors.js';

export interface BatchJob {
  name: JobName;
  id: string;
  payload: unknown;
}

/** Sends one batch; resolves once the queue holds every job of it (a duplicate id counts as held). */
export type SendBatch = (jobs: BatchJob[]) => Promise<unknown>;

export interface PublishBatcherOptions {
  /** A batch is sent as soon as it holds this many jobs. */
  maxJobs: number;
  /** ...or this long after its first job. */
  lingerMs: number;
  /** A batch not acknowledged within this fails, each of its publishes with QueueUnavailableError. */
  timeoutMs: number;
  /** Bytes of the jobs collected or in flight, at most. */
  maxBytes: number;
}

interface Entry {
  job: BatchJob;
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Batch {
  entries: Entry[];
  bytes: number;
  deadline: number;
  /** Its publishes are settled: by the queue's answer, or by the timeout while the answer is still due. */
  settled: boolean;
  done: Promise<void>;
  markDone: () => void;
}

function unavailable(error: unknown): QueueUnavailableError {
  if (error instanceof QueueUnavailableError) return error;
  return new QueueUnavailableError(error instanceof Error ? error.message : String(error));
}

export class PublishBatcher {
  private open: Entry[] = [];
  private linger: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Batch>();
  private sweeper: NodeJS.Timeout | null = null;
  private heldBytes = 0;
  private heldJobs = 0;

  constructor(
    private readonly send: SendBatch,
    private readonly opts: PublishBatcherOptions,
  ) {}

  /** Jobs collected or in flight, not yet acknowledged. */
  get jobs(): number {
    return this.heldJobs;
  }

  /** Their bytes. */
  get bytes(): number {
    return this.heldBytes;
  }

  add(job: BatchJob, bytes: number): Promise<void> {
    // A batch past its timeout is still unanswered: the queue is not keeping up, nothing more piles on.
    if (this.stalled()) return Promise.reject(new QueueUnavailableError('publish timed out'));
    if (this.heldBytes + bytes > this.opts.maxBytes) {
      return Promise.reject(new QueueFullError(`${this.heldBytes} bytes wait to be published (at most ${this.opts.maxBytes})`));
    }
    return new Promise<void>((resolve, reject) => {
      this.open.push({ job, bytes, resolve, reject });
      this.heldBytes += bytes;
      this.heldJobs++;
      if (this.open.length >= this.opts.maxJobs) this.flush();
      else this.linger ??= setTimeout(() => this.flush(), this.opts.lingerMs);
    });
  }

  /** Sends what is collected now. */
  flush(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (this.open.length === 0) return;
    const entries = this.open;
    this.open = [];
    let markDone = () => {};
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const bytes = entries.reduce((n, e) => n + e.bytes, 0);
    const batch: Batch = { entries, bytes, deadline: performance.now() + this.opts.timeoutMs, settled: false, done, markDone };
    this.inFlight.add(batch);
    this.startSweeper();
    let sent: Promise<unknown>;
    try {
      sent = this.send(entries.map((e) => e.job));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      () => this.finish(batch, null),
      (error: unknown) => this.finish(batch, unavailable(error)),
    );
  }

  /** Sends what is collected and waits until every publish so far is settled (answered or timed out). */
  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight].map((b) => b.done));
    this.stopSweeper();
  }

  private stalled(): boolean {
    for (const b of this.inFlight) if (b.settled) return true;
    return false;
  }

  private settle(batch: Batch, error: Error | null): void {
    if (batch.settled) return;
    batch.settled = true;
    for (const e of batch.entries) {
      if (error) e.reject(error);
      else e.resolve();
    }
    batch.markDone();
  }

  /** The queue answered: the batch's bytes are let go only now, even after a timeout (the client still held them). */
  private finish(batch: Batch, error: Error | null): void {
    this.settle(batch, error);
    this.inFlight.delete(batch);
    this.heldBytes -= batch.bytes;
    this.heldJobs -= batch.entries.length;
    if (this.inFlight.size === 0) this.stopSweeper();
  }

  private sweep(): void {
    const now = performance.now();
    for (const b of this.inFlight) if (!b.settled && now >= b.deadline) this.settle(b, new QueueUnavailableError('publish timed out'));
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    // A timeout is noticed within a quarter of it: one timer for every batch in flight.
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.floor(this.opts.timeoutMs / 4)));
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
