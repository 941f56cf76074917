/** Secrets never reach the queue, the store or the logs: these headers are replaced before capture. */
import { createHmac } from 'node:crypto';
import { SECRET_HEADERS } from '../logger.js';
import type { HeaderMap } from './headers.js';

export const REDACTED = '[REDACTED]';

/** Always redacted (--redact-headers adds to them): the secret headers the logger redacts too. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = SECRET_HEADERS;

/** The headers with secret values replaced; the same map, uncopied, when it holds none (the common case). */
export function redactHeaders(headers: HeaderMap, names: ReadonlySet<string>): HeaderMap {
  let out: HeaderMap | null = null;
  for (const name in headers) {
    if (!names.has(name.toLowerCase())) continue;
    out ??= { ...headers };
    const value = headers[name] as string | string[];
    out[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  }
  return out ?? headers;
}

/**
 * The marker that replaces a redacted value. With a key it carries a short HMAC of the value, so
 * two sides that differ in a secret still differ in the store, without the secret being kept.
 */
export function redactedMarker(value: string, key: Buffer | undefined): string {
  if (!key) return REDACTED;
  return `[REDACTED:${createHmac('sha256', key).update(value).digest('hex').slice(0, 12)}]`;
}
