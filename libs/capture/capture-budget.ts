/**
 * Bytes held by mirrored request bodies still arriving. A body takes no shadow slot until it is
 * complete (a slow client must not hold one), so this bounds their memory instead: a slow client
 * holds only the bytes it has sent, and past the budget a body is no longer captured.
 */
export class CaptureBudget {
  private usedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get used(): number {
    return this.usedBytes;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when they do not fit. */
  take(bytes: number): boolean {
    if (this.usedBytes + bytes > this.maxBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  give(bytes: number): void {
    this.usedBytes -= bytes;
  }
}
