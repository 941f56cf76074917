/**
 * How a body is compared, decided from its media type.
 *
 * - `json`: `application/json` and any `+json` type (`application/problem+json`, …).
 * - `form`: `application/x-www-form-urlencoded`.
 * - `text`: `text/*`, `application/xml`, any `+xml`, `application/javascript` (and the few other
 *   textual `application/*` types listed below); also a missing content type, since most services
 *   that omit it send text or nothing at all.
 * - `binary`: everything else (images, protobuf, octet-stream, …), compared by hash.
 */
import { mediaType } from '../http/headers.js';

export type ContentKind = 'json' | 'text' | 'form' | 'binary';

/** `application/*` types that are text. Besides the ones the design names, a few common textual ones. */
const TEXTUAL_APPLICATION_TYPES: ReadonlySet<string> = new Set([
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
]);

export function contentKind(contentType: string | undefined): ContentKind {
  const type = mediaType(contentType);
  if (type === '') return 'text';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('text/') || type.endsWith('+xml') || TEXTUAL_APPLICATION_TYPES.has(type)) return 'text';
  return 'binary';
}
