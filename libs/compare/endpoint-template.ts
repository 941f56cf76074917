/**
 * Endpoint templating: `GET /reviews/7?lang=en` -> `GET /reviews/:id`, so differences aggregate per
 * endpoint rather than per concrete URL.
 */
import { pathOf } from '../http/request-target.js';

const DIGITS = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 16+ hex characters: object ids (24), hashes (32, 40, 64), … Shorter hex words (`beef`, `cafe`) stay. */
const LONG_HEX = /^[0-9a-f]{16,}$/i;

function isIdSegment(segment: string): boolean {
  return DIGITS.test(segment) || UUID.test(segment) || LONG_HEX.test(segment);
}

/**
 * The path template of a request target: its path (pathOf), in which every segment that is all
 * digits, a UUID or a hex string of 16+ characters becomes `:id`. Trailing and repeated slashes
 * are kept as they are; an empty path becomes `/`.
 */
export function templatePath(target: string): string {
  return pathOf(target)
    .split('/')
    .map((segment) => (isIdSegment(segment) ? ':id' : segment))
    .join('/');
}

/**
 * The endpoint of a request, e.g. `GET /reviews/:id`. The method is upper-cased; an absolute-form
 * target (`http://host/reviews/7`) is reduced to its path first.
 */
export function endpointOf(method: string, url: string): string {
  return `${method.toUpperCase()} ${templatePath(url)}`;
}
