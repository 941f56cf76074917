/**
 * The bytes a job holds, as the byte bounds count them: the captured bodies. Headers and the other
 * fields are bounded per job by the HTTP servers' header limits, so the item bounds cover them.
 */
import type { CapturedBody } from '../http/body.js';
import type { Exchange } from '../exchange/exchange.js';
import { JOB_NAMES, type JobName, type JobPayloads } from '../exchange/contracts.js';

/** Captured bytes of one body (not its encoded length, not the size seen on the wire). */
export function capturedBytes(body: CapturedBody): number {
  return body.bytes.length;
}

export function exchangeBytes(exchange: Exchange): number {
  let bytes = capturedBytes(exchange.request.body) + capturedBytes(exchange.primary.body);
  if (exchange.shadow) bytes += capturedBytes(exchange.shadow.body);
  if (exchange.secondary) bytes += capturedBytes(exchange.secondary.body);
  return bytes;
}

/** A drop report carries counts only: it counts as nothing. */
export function jobBytes<N extends JobName>(name: N, payload: JobPayloads[N]): number {
  if (name !== JOB_NAMES.compareExchange) return 0;
  try {
    return exchangeBytes((payload as JobPayloads['compare-exchange']).exchange);
  } catch {
    // A malformed payload is the comparator's to refuse (UnrecoverableError), not the publisher's.
    return 0;
  }
}
