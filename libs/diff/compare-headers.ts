import type { Difference } from '../types/difference.js';
import type { HeaderMap } from '../types/exchange.js';
import { riskOf } from './risk.js';

/**
 * Headers never compared, because they differ between any two responses without saying anything
 * about the candidate:
 * - hop-by-hop headers (RFC 9110 §7.6.1), which describe one connection, not the response:
 *   connection, keep-alive, proxy-authenticate, proxy-authorization, te, trailer,
 *   transfer-encoding, upgrade;
 * - volatile headers, which change with the time, the instance or the request:
 *   dates and caching validators (date, age, expires, last-modified, etag), the framing
 *   (content-length: the body comparison covers it), cookies (set-cookie: sessions differ),
 *   timing (server-timing, x-response-time, x-runtime), tracing and correlation ids
 *   (x-request-id, x-correlation-id, x-trace-id, traceparent, tracestate, x-amzn-trace-id),
 *   and proxies on the way (via, cf-ray).
 * `content-encoding` is deliberately compared: a candidate that stops compressing is a change.
 */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = Object.freeze([
  // hop-by-hop
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // volatile
  'date',
  'age',
  'expires',
  'last-modified',
  'etag',
  'content-length',
  'set-cookie',
  'server-timing',
  'x-request-id',
  'x-correlation-id',
  'x-trace-id',
  'traceparent',
  'tracestate',
  'x-amzn-trace-id',
  'x-response-time',
  'x-runtime',
  'via',
  'cf-ray',
]);

export interface CompareHeadersOptions {
  /** Extra header names to ignore (any case), in addition to DEFAULT_IGNORED_HEADERS. */
  ignore?: readonly string[];
}

/** A header's value with array values joined by ", "; names matched case-insensitively. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  const direct = headers[lower];
  if (direct !== undefined) return joinValue(direct);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return joinValue(value);
  }
  return undefined;
}

function joinValue(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Lower-case name -> joined value. Repeated names in different cases are joined in order. */
function normalize(headers: HeaderMap, ignored: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (ignored.has(lower)) continue;
    const joined = joinValue(value);
    const previous = out.get(lower);
    out.set(lower, previous === undefined ? joined : `${previous}, ${joined}`);
  }
  return out;
}

/**
 * Differences between two header maps, sorted by header name. The ignore list extends
 * DEFAULT_IGNORED_HEADERS (it never replaces it).
 */
export function compareHeaders(primary: HeaderMap, shadow: HeaderMap, opts: CompareHeadersOptions = {}): Difference[] {
  const ignored = new Set(DEFAULT_IGNORED_HEADERS);
  for (const name of opts.ignore ?? []) ignored.add(name.toLowerCase());

  const left = normalize(primary, ignored);
  const right = normalize(shadow, ignored);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();

  const differences: Difference[] = [];
  for (const name of names) {
    const p = left.get(name);
    const s = right.get(name);
    if (p === s) continue;
    const kind = p === undefined ? 'header_added' : s === undefined ? 'header_removed' : 'header_changed';
    const path = `header.${name}`;
    const d = { path, field: path, kind, primary: p ?? null, shadow: s ?? null } as const;
    differences.push({ ...d, risk: riskOf(d) });
  }
  return differences;
}
