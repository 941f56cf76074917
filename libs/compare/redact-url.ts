/** Redaction of query parameters in stored URLs: the value goes, the name and the rest of the URL stay as sent. */

export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = ['access_token', 'token', 'api_key', 'apikey', 'key', 'password', 'secret', 'signature', 'sig', 'code'];

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** Replaces the value of each listed parameter (names case-insensitive) with `mask(value)`. */
export function redactQuery(url: string, names: ReadonlySet<string>, mask: (value: string) => string): string {
  const q = url.indexOf('?');
  if (q === -1 || names.size === 0) return url;
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  const pairs = url.slice(q + 1, end).split('&');
  const out = pairs.map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || !names.has(decodedName(name))) return pair;
    return `${name}=${mask(pair.slice(eq + 1))}`;
  });
  return `${url.slice(0, q + 1)}${out.join('&')}${url.slice(end)}`;
}
