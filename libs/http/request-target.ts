/** The request target as a client sends it (RFC 9112 §3.2): origin-form `/path?query`, or absolute-form to a proxy. */

/** `scheme://authority` in front of an absolute-form request target (as sent to forward proxies). */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * The path of a request target, as written: an absolute form's scheme and authority, the query
 * and the fragment dropped; an empty path is `/`. `http://host:8080/reviews/7?x=1` -> `/reviews/7`.
 */
export function pathOf(target: string): string {
  const path = target.replace(SCHEME_AND_AUTHORITY, '');
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  return bare === '' ? '/' : bare;
}
