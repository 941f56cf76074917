/**
 * The host echo: a service builds absolute URLs from the Host it is sent (`Location`, `Link`,
 * `Content-Location`, `self`/`next` links in bodies). The shadow is sent the client's Host with a suffix
 * (`reviews-shadow`), a replay's candidate its own address, so an identical version answers with other
 * URLs. For the comparison only, the host the other side was sent is read as the primary's:
 *
 * - the host as sent (`reviews-shadow:9080`), wherever it stands on its own: in URLs, quoted, in text;
 * - its name alone (`reviews-shadow`, when a port was sent) not followed by a port, only in a URL's authority
 *   (after `//`, also `\/\/` as JSON may escape it and `%2F%2F` when URL-encoded) or as a whole value
 *   (a header value, a quoted string).
 *
 * Host names match case-insensitively; everything else (scheme, path, query, another host or port) is
 * left as it is, so a real change in those URLs still shows. Bodies are rewritten as bytes read as
 * latin1, which keeps every byte of an ASCII-compatible charset (UTF-8, ISO-8859-*) in place.
 */
import type { HeaderMap } from '../http/headers.js';
import type { SentHosts } from '../exchange/exchange.js';

export const HOST_ECHO_MODES = ['normalize', 'off'] as const;
export type HostEchoMode = (typeof HOST_ECHO_MODES)[number];

export interface HostEchoRewriter {
  text(value: string): string;
  headers(headers: HeaderMap): HeaderMap;
  /** Body bytes of a textual body (JSON, form, text). */
  bytes(body: Buffer): Buffer;
}

/** `name` and `port` of a Host value; `[v6]:port` kept bracketed. */
function splitHost(host: string): { name: string; port: string | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return m ? { name: m[1] ?? host, port: m[2] ?? null } : { name: host, port: null };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A rewriter from the host the shadow (or candidate) was sent to the primary's, or null when there is
 * nothing to undo (no hosts recorded, the same host on both sides, or an empty one).
 */
export function hostEchoRewriter(hosts: SentHosts | undefined): HostEchoRewriter | null {
  const sent = hosts?.shadow?.trim();
  const primary = hosts?.primary?.trim();
  if (!sent || !primary || sent.toLowerCase() === primary.toLowerCase()) return null;
  const s = splitHost(sent);
  const p = splitHost(primary);
  // The host as sent, wherever it stands on its own (not inside a longer name, not followed by more port digits).
  const full = `(?<![\\w.-])${escape(sent)}${s.port === null ? '(?![\\w.-]|:\\d)' : '(?!\\d)'}`;
  // Its name alone, only in a URL's authority or as a whole value: elsewhere a bare name is too common.
  const name = escape(s.name);
  const bare = `(?<=\\/\\/|\\\\\\/\\\\\\/|%2F%2F)${name}(?![\\w.-]|:\\d)|(?<=^|")${name}(?="|$)`;
  const pattern = new RegExp(s.port === null ? `(${full})` : `(${full})|${bare}`, 'gi');
  // The sent host as a whole becomes the primary's; its name alone, the primary's name.
  const replace = (value: string): string => value.replace(pattern, (_m, whole: string | undefined) => (whole !== undefined ? primary : p.name));
  return {
    text: replace,
    headers(headers) {
      const out: HeaderMap = {};
      for (const [key, value] of Object.entries(headers)) out[key] = Array.isArray(value) ? value.map(replace) : replace(value);
      return out;
    },
    bytes(body) {
      const text = body.toString('latin1');
      const rewritten = replace(text);
      return rewritten === text ? body : Buffer.from(rewritten, 'latin1');
    },
  };
}
