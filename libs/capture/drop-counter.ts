/**
 * Counts pairs lost before the queue, per run and reason, and reports them through the queue
 * as soon as it answers: a drop is never silent, even when the queue itself was the cause.
 */
import { randomUUID } from 'node:crypto';
import { JOB_CONTRACT_VERSION, JOB_NAMES } from '../exchange/contracts.js';
import type { JobPublisher } from '../queue/queue.js';
import type { DropReason } from '../exchange/exchange.js';

export class DropCounter {
  private readonly pending = new Map<string, Map<DropReason, number>>();
  private readonly instance = randomUUID();
  private seq = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Everything counted since start, for metrics and tests. */
  readonly totals = new Map<DropReason, number>();

  /** onDrop: called on every drop, as it is counted (the ingress's metrics). */
  constructor(
    private readonly publisher: JobPublisher,
    private readonly onDrop?: (reason: DropReason) => void,
  ) {}

  add(run: string, reason: DropReason): void {
    this.onDrop?.(reason);
    const byReason = this.pending.get(run) ?? new Map<DropReason, number>();
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    this.pending.set(run, byReason);
    this.totals.set(reason, (this.totals.get(reason) ?? 0) + 1);
  }

  get unreported(): number {
    let n = 0;
    for (const byReason of this.pending.values()) for (const c of byReason.values()) n += c;
    return n;
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Publishes what is pending; what fails to publish stays pending for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (!this.publisher.isAvailable()) return;
    for (const [run, byReason] of [...this.pending]) {
      const counts = Object.fromEntries(byReason) as Partial<Record<DropReason, number>>;
      const reportId = `${this.instance}-${++this.seq}`;
      try {
        await this.publisher.publish(JOB_NAMES.recordDrops, reportId, { v: JOB_CONTRACT_VERSION, reportId, run, counts });
      } catch {
        return;
      }
      for (const [reason, n] of Object.entries(counts) as [DropReason, number][]) {
        const left = (byReason.get(reason) ?? 0) - n;
        if (left > 0) byReason.set(reason, left);
        else byReason.delete(reason);
      }
      if (byReason.size === 0) this.pending.delete(run);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
