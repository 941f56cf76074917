/**
 * Headers that belong to one connection (RFC 9110 §7.6.1): never forwarded, and never compared
 * (libs/compare/compare-headers.ts builds its ignored headers on this list).
 */
import { headerList, type HeaderMap } from './headers.js';

export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Copies the headers without hop-by-hop ones, including any named in `Connection`. */
export function withoutHopByHop(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const connection = headers.connection;
  const listed = new Set(headerList(connection).map((name) => name.toLowerCase()));
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || listed.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}
