/** A body as shadow-diff captures it: bytes in process, base64 only at the BullMQ boundary. */

export interface CapturedBody {
  /** Captured bytes; empty when there was no body. Read-only: several steps read the same bytes. */
  bytes: Buffer;
  /** Bytes seen on the wire (may exceed the captured bytes when truncated). */
  size: number;
  /** True when the body was larger than the capture limit and only a prefix was kept. */
  truncated: boolean;
}
