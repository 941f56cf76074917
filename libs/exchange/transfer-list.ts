/**
 * How a job's bodies move to a comparator thread without being copied: the bytes of each body go
 * in the postMessage transfer list, so the thread receives the memory itself and this side keeps a
 * detached (empty) view. Only memory a body owns entirely can move: a small Buffer is a slice of
 * Node's shared pool, and moving that ArrayBuffer would detach unrelated Buffers. Such bodies are
 * copied once into memory of their own, which moves.
 */
import { capturedBody, type CapturedBody } from '../http/body.js';
import type { Exchange } from './exchange.js';
import type { AnyJob } from './contracts.js';

/** True when the view covers its whole ArrayBuffer (not a slice of a pool or of a larger buffer). */
export function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** A Uint8Array (what a Buffer becomes once it crossed a thread) seen as a Buffer again, without a copy. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

const RESPONSES = ['primary', 'shadow', 'secondary'] as const;

/** The exchange of a compare job, when the payload has one (anything else crosses as it is). */
function exchangeOf(job: AnyJob): Exchange | null {
  if (job.name !== 'compare-exchange') return null;
  const ex = (job.payload as { exchange?: unknown } | null)?.exchange;
  return typeof ex === 'object' && ex !== null ? (ex as Exchange) : null;
}

/** The exchange with each body it carries mapped (request, primary, shadow, secondary). */
function mapBodies(ex: Exchange, map: (body: CapturedBody) => CapturedBody): Exchange {
  const out: Exchange = { ...ex, request: { ...ex.request, body: map(ex.request.body) } };
  for (const side of RESPONSES) {
    const response = ex[side];
    if (response) out[side] = { ...response, body: map(response.body) };
  }
  return out;
}

const hasBytes = (body: CapturedBody): boolean => body.bytes instanceof Uint8Array && body.bytes.byteLength > 0;

/**
 * The job to post and the ArrayBuffers to transfer with it. Bodies that own their memory move; the
 * others are copied into memory of their own first. The same memory is listed once (two bodies may
 * share it). Empty bodies stay out: EMPTY_BODY's zero bytes are shared by every exchange.
 * `detaches`: some of the job's own bodies moved, so this side no longer has their bytes.
 */
export function transferableJob(job: AnyJob): { job: AnyJob; transferList: ArrayBuffer[]; detaches: boolean } {
  const ex = exchangeOf(job);
  if (!ex) return { job, transferList: [], detaches: false };
  const moved = new Set<ArrayBuffer>();
  let detaches = false;
  const exchange = mapBodies(ex, (body) => {
    if (!hasBytes(body)) return body;
    let bytes = body.bytes;
    if (ownsItsMemory(bytes)) detaches = true;
    else if (!moved.has(bytes.buffer as ArrayBuffer)) {
      bytes = Buffer.allocUnsafeSlow(body.bytes.byteLength);
      bytes.set(body.bytes);
    }
    moved.add(bytes.buffer as ArrayBuffer);
    return { ...body, bytes };
  });
  return { job: { ...job, payload: { ...job.payload, exchange } } as AnyJob, transferList: [...moved], detaches };
}

/**
 * A job whose bodies moved to a thread that died with them: what can still be said of the pair.
 * Sizes stay; no byte does (truncated, so nothing is captured for replay); the pair counts as
 * skipped with comparator_error unless it was skipped for its own reason already.
 */
export function withBodiesLost(job: AnyJob): AnyJob {
  const ex = exchangeOf(job);
  if (!ex) return job;
  const exchange = mapBodies(ex, (body) => (hasBytes(body) || body.size > 0 ? capturedBody(Buffer.alloc(0), body.size, true) : body));
  return { ...job, payload: { ...job.payload, exchange: { ...exchange, skipReason: ex.skipReason ?? 'comparator_error' } } } as AnyJob;
}

/**
 * Puts back into the job the queue holds the bodies a thread moved back (a job that failed there
 * and will be retried): the queue keeps the job object it retries, so the bodies go into it.
 */
export function restoreBodies(job: AnyJob, returned: AnyJob): void {
  const ex = exchangeOf(job);
  const back = exchangeOf(returned);
  if (!ex || !back) return;
  const put = (body: CapturedBody | undefined, from: CapturedBody | undefined) => {
    if (!body || !from || !(from.bytes instanceof Uint8Array) || Object.isFrozen(body)) return;
    body.bytes = asBuffer(from.bytes);
  };
  put(ex.request?.body, back.request?.body);
  for (const side of RESPONSES) put(ex[side]?.body, back[side]?.body);
}
