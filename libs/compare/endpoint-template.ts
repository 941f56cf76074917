/**
 * Endpoint templating: `GET /reviews/7?lang=en` -> `GET /reviews/:id`, so differences aggregate per
 * endpoint rather than per concrete URL.
 */

const DIGITS = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 16+ hex characters: object ids (24), hashes (32, 40, 64), … Shorter hex words (`beef`, `cafe`) stay. */
const LONG_HEX = /^[0-9a-f]{16,}$/i;
/** `scheme://authority` in front of an absolute-form request target (as sent to forward proxies). */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

function isIdSegment(segment: string): boolean {
  return DIGITS.test(segment) || UUID.test(segment) || LONG_HEX.test(segment);
}

/**
 * The path template of a request target: the query string and fragment are dropped, and every
 * segment that is all digits, a UUID or a hex string of 16+ characters becomes `:id`.
 * Trailing and repeated slashes are kept as they are; an empty path becomes `/`.
 */
export function templatePath(path: string): string {
  let end = path.length;
  const query = path.indexOf('?');
  if (query !== -1) end = query;
  const fragment = path.indexOf('#');
  if (fragment !== -1 && fragment < end) end = fragment;
  const bare = path.slice(0, end);
  if (bare === '') return '/';
  return bare
    .split('/')
    .map((segment) => (isIdSegment(segment) ? ':id' : segment))
    .join('/');
}

/**
 * The endpoint of a request, e.g. `GET /reviews/:id`. The method is upper-cased; an absolute-form
 * target (`http://host/reviews/7`) is reduced to its path first.
 */
export function endpointOf(method: string, url: string): string {
  const path = url.replace(SCHEME_AND_AUTHORITY, '');
  return `${method.toUpperCase()} ${templatePath(path)}`;
}
