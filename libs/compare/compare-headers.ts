import type { Difference } from './difference.js';
import { joinedValue, type HeaderMap } from '../http/headers.js';
import { HOP_BY_HOP_HEADERS } from '../http/hop-by-hop.js';
import { riskOf } from './risk.js';

/**
 * Headers never compared, because they differ between any two responses without saying anything
 * about the candidate:
 * - hop-by-hop headers (libs/http/hop-by-hop.ts, RFC 9110 §7.6.1), which describe one connection,
 *   not the response: what is captured or recorded has them stripped already (the ingress, the
 *   shadow client and the replay's parsers use the same list); here for any exchange all the same;
 * - volatile headers, which change with the time, the instance or the request:
 *   dates and caching validators (date, age, expires, last-modified, etag), the framing
 *   (content-length: the body comparison covers it), cookies (set-cookie: sessions differ),
 *   timing (server-timing, x-response-time, x-runtime), tracing and correlation ids
 *   (x-request-id, x-correlation-id, x-trace-id, traceparent, tracestate, x-amzn-trace-id, b3,
 *   x-ot-span-context, and by prefix x-envoy-* and x-b3-*, see DEFAULT_IGNORED_HEADER_PREFIXES),
 *   and proxies on the way (via, cf-ray).
 * `content-encoding` is deliberately compared: a candidate that stops compressing is a change.
 */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = Object.freeze([
  // hop-by-hop: never compared, even when allowed
  ...HOP_BY_HOP_HEADERS,
  // volatile: the comparison's own additions
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
  'b3',
  'x-ot-span-context',
  'x-response-time',
  'x-runtime',
  'via',
  'cf-ray',
]);

export interface CompareHeadersOptions {
  /** Extra header names to ignore (any case), in addition to DEFAULT_IGNORED_HEADERS. */
  ignore?: readonly string[];
  /**
   * When set, ONLY these headers (any case) are compared: the volatile defaults no longer apply to them
   * (allowing `etag` compares etags), but hop-by-hop headers and the `ignore` list still do.
   */
  allow?: readonly string[];
}

/** Lower-case name -> joined value. Repeated names in different cases are joined in order. */
function normalize(headers: HeaderMap, compared: (lower: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!compared(lower)) continue;
    const joined = joinedValue(value);
    const previous = out.get(lower);
    out.set(lower, previous === undefined ? joined : `${previous}, ${joined}`);
  }
  return out;
}

/**
 * Header name prefixes never compared (unless allowed): a service mesh's own headers, which its
 * proxies add to responses (`x-envoy-upstream-service-time`) or a service echoes from the request
 * (B3 tracing, `x-b3-traceid`), and which vary per request and per proxy, not per version.
 */
export const DEFAULT_IGNORED_HEADER_PREFIXES: readonly string[] = Object.freeze(['x-envoy-', 'x-b3-']);

/**
 * Differences between two header maps, sorted by header name. The ignore list extends
 * DEFAULT_IGNORED_HEADERS (it never replaces it); an allow list restricts the comparison to its headers.
 */
export function compareHeaders(primary: HeaderMap, shadow: HeaderMap, opts: CompareHeadersOptions = {}): Difference[] {
  const ignored = new Set(opts.allow === undefined ? DEFAULT_IGNORED_HEADERS : HOP_BY_HOP_HEADERS);
  for (const name of opts.ignore ?? []) ignored.add(name.toLowerCase());
  const allowed = opts.allow === undefined ? undefined : new Set(opts.allow.map((name) => name.toLowerCase()));
  const prefixes = opts.allow === undefined ? DEFAULT_IGNORED_HEADER_PREFIXES : [];
  const compared = (lower: string): boolean =>
    !ignored.has(lower) && !prefixes.some((p) => lower.startsWith(p)) && (allowed === undefined || allowed.has(lower));

  const left = normalize(primary, compared);
  const right = normalize(shadow, compared);
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
