/** Keeps the first `limit` bytes of a body for comparison while the whole body streams on. */
import type { CapturedBody } from '../types/exchange.js';

export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private joined: Buffer | null = null;
  size = 0;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.limit) return;
    const room = this.limit - this.kept;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
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
    const out = this.kept === 0 ? EMPTY_BYTES : Buffer.allocUnsafeSlow(this.kept);
    let at = 0;
    for (const chunk of this.chunks) at += chunk.copy(out, at);
    // The socket slices can go now; a later push joins again from here.
    this.chunks.splice(0, this.chunks.length, out);
    this.joined = out;
    return out;
  }

  result(): CapturedBody {
    return { bytes: this.bytes(), size: this.size, truncated: this.truncated };
  }
}

/** Zero bytes, shared: never moved to another thread (transfer-list.ts skips empty bodies). */
const EMPTY_BYTES = Buffer.alloc(0);

export const EMPTY_BODY: CapturedBody = Object.freeze({ bytes: EMPTY_BYTES, size: 0, truncated: false });
