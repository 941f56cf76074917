/** Keeps the first `limit` bytes of a body for comparison while the whole body streams on. */
import type { CapturedBody } from '../types/exchange.js';
import type { ByteBudget } from './capture-budget.js';

export class BodyCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  size = 0;
  /** The budget had no room for the bytes: nothing is kept, the pair is to be dropped. */
  overBudget = false;

  /** budget: where the kept bytes are counted (the pair's share of --shadow-max-in-flight-bytes). */
  constructor(
    readonly limit: number,
    private readonly budget: ByteBudget | null = null,
  ) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.limit || this.overBudget) return;
    const room = this.limit - this.kept;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (this.budget && !this.budget.take(part.length)) {
      // No room: let the bytes go now rather than hold them for a pair that will be dropped.
      this.overBudget = true;
      this.budget.give(this.kept);
      this.chunks = [];
      this.kept = 0;
      return;
    }
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.size > this.limit;
  }

  /** The kept bytes, joined once: the shadow's copy and the captured body share them. */
  bytes(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0] as Buffer;
    const joined = Buffer.concat(this.chunks, this.kept);
    this.chunks.splice(0, this.chunks.length, joined);
    return joined;
  }

  result(): CapturedBody {
    return { base64: this.kept === 0 ? '' : this.bytes().toString('base64'), size: this.size, truncated: this.truncated };
  }
}

export const EMPTY_BODY: CapturedBody = Object.freeze({ base64: '', size: 0, truncated: false });
