/** Helpers shared by the replay input parsers and the HAR writer. */
import { withoutHopByHop } from '../../http/hop-by-hop.js';
import { EMPTY_BODY } from '../../http/body-capture.js';
import type { CapturedBody, HeaderMap } from '../../exchange/exchange.js';

export { EMPTY_BODY };

/** RFC 9110 token: what a method or a header name may be made of. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function bodyOf(bytes: Buffer): CapturedBody {
  return bytes.length === 0 ? EMPTY_BODY : { bytes: ownBytes(bytes), size: bytes.length, truncated: false };
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
 * Builds a header map from name/value pairs as a recording lists them: names lower-cased,
 * repeated names collected into a string[] in order, HTTP/2 pseudo-headers (`:authority`, …)
 * and hop-by-hop headers (RFC 9110 §7.6.1, including any named in `Connection`) dropped.
 */
export function headerMapOf(pairs: Iterable<readonly [string, string]>): HeaderMap {
  const all: HeaderMap = {};
  for (const [rawName, value] of pairs) {
    if (rawName.startsWith(':')) continue;
    const name = rawName.toLowerCase();
    const previous = all[name];
    if (previous === undefined) all[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else all[name] = [previous, value];
  }
  return withoutHopByHop(all);
}

/** The first value of a header, or undefined. */
export function firstHeader(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Copy of the headers without the given (lower-case) names. */
export function withoutHeaders(headers: HeaderMap, names: readonly string[]): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!names.includes(name)) out[name] = value;
  return out;
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
