/** Keeps the first `limit` bytes of a body for comparison while the whole body streams on. */
import type { CapturedBody } from '../types/exchange.js';

export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  size = 0;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.limit) return;
    const room = this.limit - this.kept;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.size > this.limit;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.kept);
  }

  result(): CapturedBody {
    return { base64: this.kept === 0 ? '' : this.bytes().toString('base64'), size: this.size, truncated: this.truncated };
  }
}

export const EMPTY_BODY: CapturedBody = Object.freeze({ base64: '', size: 0, truncated: false });
