/**
 * The origin a URL sends traffic to, normalized as the WHATWG URL parser does (what undici connects
 * to): lower-case host, IPv4 in any notation (`0x7f.1`, `2130706433`) as dotted decimal, default
 * port omitted. Two URLs reach the same origin exactly when these strings are equal; host names are
 * not resolved, so `localhost` and `127.0.0.1` stay different origins.
 */
import { checkUrl, HTTP_SCHEMES } from '../values/url.js';

export type OriginResult = { ok: true; origin: string; url: URL } | { ok: false; problem: string };

export function originOf(raw: string): OriginResult {
  const checked = checkUrl(raw, { schemes: HTTP_SCHEMES });
  if (!checked.ok) return { ok: false, problem: 'must be an http(s) URL' };
  const url = checked.url;
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'must not carry credentials (user:password@)' };
  return { ok: true, origin: url.origin, url };
}

/** An origin as configured: scheme, host and port only (no path, query, fragment or credentials). */
export function parseOrigin(raw: string): { ok: true; origin: string } | { ok: false; problem: string } {
  const r = originOf(raw);
  if (!r.ok) return r;
  if (r.url.pathname !== '/' || r.url.search !== '' || r.url.hash !== '' || /[?#]/.test(raw)) {
    return { ok: false, problem: 'must be an origin (scheme://host[:port]) without a path, query or fragment' };
  }
  return { ok: true, origin: r.origin };
}
