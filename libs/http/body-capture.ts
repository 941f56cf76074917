/** Keeps the first `limit` bytes of a body for comparison while the whole body streams on. */
import { capturedBody, EMPTY_BODY, type CapturedBody } from './body.js';
import type { ByteBudget } from './capture-budget.js';

export class BodyCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  private joined: Buffer | null = null;
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
      this.joined = null;
      return;
    }
    this.chunks.push(part);
    this.kept += part.length;
    this.joined = null;
  }

  get truncated(): boolean {
    return this.size > this.limit;
  }

  /**
   * The kept bytes, joined once into memory of their own: the chunks are slices of sockets'
   * buffers (or of Node's shared pool), and a body handed to a comparator thread is moved there
   * with its whole ArrayBuffer (transfer-list.ts).
   */
  bytes(): Buffer {
    if (this.joined) return this.joined;
    const out = this.kept === 0 ? EMPTY_BODY.bytes : Buffer.allocUnsafeSlow(this.kept);
    let at = 0;
    for (const chunk of this.chunks) at += chunk.copy(out, at);
    // The socket slices can go now; a later push joins again from here.
    this.chunks.splice(0, this.chunks.length, out);
    this.joined = out;
    return out;
  }

  result(): CapturedBody {
    return capturedBody(this.bytes(), this.size, this.truncated);
  }
}
