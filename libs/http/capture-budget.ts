/**
 * Bytes the ingress holds for the pairs in flight (--shadow-max-in-flight-bytes): the request body
 * as it arrives, the primary's, the shadow's and the secondary's captures, until the pair is queued
 * or dropped. A body takes no shadow slot until it is complete (a slow client must not hold one),
 * so this bounds what a slow client holds too: only the bytes it has sent. Past the budget, the
 * pair is dropped and counted (shadow_in_flight_limit), so memory is bounded by configuration.
 */
export interface ByteBudget {
  /** Takes `bytes`; false (nothing taken) when they do not fit. */
  take(bytes: number): boolean;
  give(bytes: number): void;
}

export class CaptureBudget implements ByteBudget {
  private usedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get used(): number {
    return this.usedBytes;
  }

  take(bytes: number): boolean {
    if (this.usedBytes + bytes > this.maxBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  give(bytes: number): void {
    this.usedBytes -= bytes;
  }
}

/** One pair's share of the budget: every capture of the pair takes from it, and it is given back at once. */
export class PairBytes implements ByteBudget {
  private held = 0;
  /** Some capture of this pair did not fit: the pair is dropped; nothing more is taken for it. */
  overBudget = false;

  constructor(private readonly budget: CaptureBudget) {}

  take(bytes: number): boolean {
    if (this.overBudget) return false;
    if (!this.budget.take(bytes)) {
      this.overBudget = true;
      return false;
    }
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
    this.budget.give(bytes);
  }

  /** The pair is queued or dropped: everything it holds goes back. */
  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}
