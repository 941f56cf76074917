/** A body as shadow-diff captures it: bytes in process, base64 only at the BullMQ boundary. */

export interface CapturedBody {
  /** Captured bytes; empty when there was no body. Read-only: several steps read the same bytes. */
  bytes: Buffer;
  /** Bytes seen on the wire (may exceed the captured bytes when truncated). */
  size: number;
  /** True when the body was larger than the capture limit and only a prefix was kept. */
  truncated: boolean;
}

/** No body. Its zero bytes are shared, never moved to another thread (transfer-list.ts skips empty bodies). */
export const EMPTY_BODY: CapturedBody = Object.freeze({ bytes: Buffer.alloc(0), size: 0, truncated: false });

/** A captured body of `bytes`: whole by default, or a prefix of `size` bytes seen when `truncated`. */
export function capturedBody(bytes: Buffer, size: number = bytes.length, truncated = false): CapturedBody {
  return { bytes, size, truncated };
}

/**
 * A copy in memory of its own: a parser's buffer is reused for the next records, and a body
 * handed to a comparator thread is moved there with its whole ArrayBuffer (transfer-list.ts).
 */
export function ownBytes(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(out);
  return out;
}

/** The whole body of a copy of `bytes` in memory of its own; EMPTY_BODY when there are none. */
export function ownedBody(bytes: Buffer): CapturedBody {
  return bytes.length === 0 ? EMPTY_BODY : capturedBody(ownBytes(bytes));
}

/** No bytes were captured. */
export function isEmptyBody(body: CapturedBody): boolean {
  return body.bytes.length === 0;
}
