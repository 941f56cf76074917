/** Headers as shadow-diff handles them at every stage, and the ways to read one. */

/** Header map as undici and node:http give it: lower-case names. */
export type HeaderMap = Record<string, string | string[]>;

/** A header value as a string: a repeated header's values joined with `separator`, as HTTP allows. */
export function joinedValue(value: string | string[], separator = ', '): string {
  return Array.isArray(value) ? value.join(separator) : value;
}

/** A header's value, a repeated header's values joined by ", "; the name matched in any case. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  const direct = headers[lower];
  if (direct !== undefined) return joinedValue(direct);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return joinedValue(value);
  }
  return undefined;
}

/** The elements of a comma-separated list header (RFC 9110 §5.6.1), every value's in order, trimmed, empty ones left out. */
export function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The first value of the header under exactly this (lower-case) name, or undefined. */
export function firstHeader(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The lower-case `type/subtype` of a Content-Type value, without parameters; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** A header map from name/value pairs in order: names lower-cased, a repeated name's values collected into a string[]. */
export function headerMapOf(pairs: Iterable<readonly [string, string]>): HeaderMap {
  const all: HeaderMap = {};
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    const previous = all[name];
    if (previous === undefined) all[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else all[name] = [previous, value];
  }
  return all;
}

/** Copy of the headers without the given (lower-case) names. */
export function withoutHeaders(headers: HeaderMap, names: readonly string[]): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) if (!names.includes(name)) out[name] = value;
  return out;
}
