/** Helpers shared by the replay input parsers and the HAR writer. */
import { headerMapOf, type HeaderMap } from '../../http/headers.js';
import { withoutHopByHop } from '../../http/hop-by-hop.js';

/** RFC 9110 token: what a method or a header name may be made of. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Strict base64: Buffer.from(…, 'base64') silently skips garbage, which would turn a corrupt
 * recording into a wrong baseline. Whitespace (line-wrapped base64) and missing padding are accepted.
 * Returns undefined when the text is not base64.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  const unpadded = compact.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (compact.length !== unpadded.length && compact.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, 'base64');
}

/**
 * The header map of a recording's name/value pairs (headerMapOf), without HTTP/2 pseudo-headers
 * (`:authority`, …) and hop-by-hop headers (RFC 9110 §7.6.1, including any named in `Connection`).
 */
export function recordedHeaders(pairs: Iterable<readonly [string, string]>): HeaderMap {
  return withoutHopByHop(headerMapOf([...pairs].filter(([name]) => !name.startsWith(':'))));
}

/** Characters allowed in an HTTP/1.1 request target as sent on the wire (visible ASCII). */
const WIRE_TARGET = /^[\x21-\x7e]*$/;

export interface SplitUrl {
  /** scheme://host[:port], default port omitted, host lower-cased. */
  origin: string;
  /** host[:port] as a Host header carries it. */
  host: string;
  /** Path and query, never empty, without the fragment. */
  pathAndQuery: string;
}

/**
 * Splits an absolute http(s) URL into origin and path + query. The path is kept as written
 * (no dot-segment resolution, no re-encoding) so that a replay sends what was recorded, unless
 * it holds characters that cannot go on the wire: then the WHATWG-normalised form is used.
 * Returns a message when the URL is not usable.
 */
export function splitAbsoluteUrl(text: string): SplitUrl | { error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `"${preview(text)}" is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `"${preview(text)}" is not an http(s) URL` };
  }
  const raw = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^#]*)/i.exec(text)?.[1] ?? '';
  const rawTarget = raw === '' || raw.startsWith('?') ? `/${raw}` : raw;
  const pathAndQuery = WIRE_TARGET.test(rawTarget) ? rawTarget : `${url.pathname}${url.search}`;
  return { origin: url.origin, host: url.host, pathAndQuery };
}

/** Shortens a value for an error message. */
export function preview(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  const printable = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** Responses that never carry a body whatever their headers say (RFC 9110 §6.4.1). */
export function hasNoBody(status: number, requestMethod: string): boolean {
  return requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304;
}
