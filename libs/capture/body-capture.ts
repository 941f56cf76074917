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
