/** Secrets never reach the queue, the store or the logs: these headers are replaced before capture. */
import type { HeaderMap } from '../types/exchange.js';

export const REDACTED = '[REDACTED]';

export const DEFAULT_REDACTED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

export function redactHeaders(headers: HeaderMap, names: ReadonlySet<string>): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = names.has(name.toLowerCase()) ? (Array.isArray(value) ? value.map(() => REDACTED) : REDACTED) : value;
  }
  return out;
}
