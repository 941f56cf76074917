/** Pairs still on their way to the queue after the client has its answer: tracked so that stopping waits for them. */
export class PendingPairs {
  private readonly pending = new Set<Promise<void>>();

  track(done: Promise<void>): void {
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves when every pair tracked so far, and every one tracked meanwhile, has settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
