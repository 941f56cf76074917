import { createHash } from 'node:crypto';
import type { Comparison, Difference, DifferenceKind } from '../types/difference.js';
import type { CapturedResponse, Exchange, HeaderMap } from '../types/exchange.js';
import { compareHeaders, headerValue } from './compare-headers.js';
import { contentKind } from './content-kind.js';
import { bodyText, decodeBody } from './decode-body.js';
import { diffJson } from './json-diff.js';
import { highestRisk, riskOf } from './risk.js';

export interface CompareOptions {
  /** Header names to ignore in addition to DEFAULT_IGNORED_HEADERS. */
  ignoreHeaders?: readonly string[];
  /** Cap on a body after undoing its content-encoding. Default 8 MiB. */
  maxDecodedBytes?: number;
}

export const DEFAULT_MAX_DECODED_BYTES = 8 * 1024 * 1024;

/** Texts in a text_differs difference are cut to this many characters. */
export const MAX_TEXT_VALUE_LENGTH = 4096;

type Draft = Omit<Difference, 'risk'>;

function draft(path: string, kind: DifferenceKind, primary: unknown, shadow: unknown): Draft {
  return { path, field: path, kind, primary, shadow };
}

/**
 * Compare the primary's and the shadow's responses to one request.
 *
 * Order of the differences: shadow error (alone, nothing else is compared), status, headers, body.
 * Throws ComparisonBudgetError (from diffJson) when a JSON body is beyond what can be diffed; the
 * caller records the exchange as skipped with reason `comparison_budget_exceeded`.
 */
export function compareExchange(
  exchange: Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError'>,
  opts: CompareOptions = {},
): Comparison {
  const { request, primary, shadow, shadowError } = exchange;

  if (shadowError !== null || shadow === null) {
    const message = shadowError === null ? 'error: no shadow response' : `${shadowError.code}: ${shadowError.message}`;
    return finish([draft('shadow', 'shadow_error', primary.status, message)]);
  }

  const drafts: Draft[] = [];
  if (primary.status !== shadow.status) drafts.push(draft('status', 'status_changed', primary.status, shadow.status));
  // A shadow 5xx is a failure of the candidate even when the primary failed the same way.
  else if (shadow.status >= 500) drafts.push(draft('shadow', 'shadow_error', primary.status, `status ${shadow.status}`));
  drafts.push(...compareHeaders(primary.headers, shadow.headers, { ignore: opts.ignoreHeaders ?? [] }));
  if (!skipsBody(request.method, primary, shadow)) {
    drafts.push(...compareBodies(primary, shadow, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES));
  }
  return finish(drafts);
}

function finish(drafts: readonly Draft[]): Comparison {
  const differences = drafts.map((d): Difference => ({ ...d, risk: riskOf(d) }));
  return { differences, risk: highestRisk(differences) };
}

/** No body to compare: HEAD, 204 No Content, 304 Not Modified, or nothing on either side. */
function skipsBody(method: string, primary: CapturedResponse, shadow: CapturedResponse): boolean {
  if (method.toUpperCase() === 'HEAD') return true;
  if ([primary.status, shadow.status].some((status) => status === 204 || status === 304)) return true;
  return primary.body.base64 === '' && shadow.body.base64 === '';
}

interface Side {
  contentType: string | undefined;
  raw: Buffer;
  decoded: { bytes: Buffer } | { error: string };
}

function side(response: CapturedResponse, maxBytes: number): Side {
  const raw = Buffer.from(response.body.base64, 'base64');
  return {
    contentType: headerValue(response.headers, 'content-type'),
    raw,
    decoded: decodeBody(raw, response.headers, maxBytes),
  };
}

function compareBodies(primaryResponse: CapturedResponse, shadowResponse: CapturedResponse, maxBytes: number): Draft[] {
  const p = side(primaryResponse, maxBytes);
  const s = side(shadowResponse, maxBytes);

  if ('error' in p.decoded || 'error' in s.decoded) return undecodable(p, s, primaryResponse.headers, shadowResponse.headers);
  const pBytes = p.decoded.bytes;
  const sBytes = s.decoded.bytes;

  const kind = contentKind(p.contentType);
  if (kind !== contentKind(s.contentType)) {
    return [draft('body', 'body_type_changed', p.contentType ?? null, s.contentType ?? null)];
  }

  switch (kind) {
    case 'json':
      return compareJson(p.contentType, pBytes, s.contentType, sBytes);
    case 'form':
      return compareForms(bodyText(pBytes, p.contentType), bodyText(sBytes, s.contentType));
    case 'text':
      return compareTexts(bodyText(pBytes, p.contentType), bodyText(sBytes, s.contentType));
    case 'binary':
      return pBytes.equals(sBytes) ? [] : [draft('body', 'binary_differs', fingerprint(pBytes), fingerprint(sBytes))];
  }
}

function fingerprint(bytes: Buffer): { size: number; sha256: string } {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * A side whose content-encoding cannot be undone (corrupt data, unknown coding, over the size cap).
 * Nothing can be compared beyond the bytes themselves: when both sides carry the very same bytes
 * with the same content-encoding, that is no difference; otherwise one `binary_differs` at `body`
 * whose values are `{ size, sha256 }` of what each side could be decoded to (its raw bytes when it
 * could not), plus `error` on the side that failed.
 */
function undecodable(p: Side, s: Side, primaryHeaders: HeaderMap, shadowHeaders: HeaderMap): Draft[] {
  const sameEncoding =
    (headerValue(primaryHeaders, 'content-encoding') ?? '') === (headerValue(shadowHeaders, 'content-encoding') ?? '');
  if (sameEncoding && p.raw.equals(s.raw)) return [];
  const describe = (x: Side): { size: number; sha256: string; error?: string } =>
    'error' in x.decoded ? { ...fingerprint(x.raw), error: x.decoded.error } : fingerprint(x.decoded.bytes);
  return [draft('body', 'binary_differs', describe(p), describe(s))];
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * Both parse: structural diff. Exactly one parses: `body_type_changed`, whose values are the content
 * types, with `(invalid JSON)` appended on the side that did not parse. Neither: compared as text.
 */
function compareJson(pType: string | undefined, pBytes: Buffer, sType: string | undefined, sBytes: Buffer): Draft[] {
  const pText = bodyText(pBytes, pType);
  const sText = bodyText(sBytes, sType);
  const pJson = parseJson(pText);
  const sJson = parseJson(sText);
  if (pJson !== undefined && sJson !== undefined) return diffJson(pJson.value, sJson.value);
  if (pJson === undefined && sJson === undefined) return compareTexts(pText, sText);
  const label = (type: string | undefined, parsed: boolean): string =>
    `${type ?? 'no content-type'}${parsed ? '' : ' (invalid JSON)'}`;
  return [draft('body', 'body_type_changed', label(pType, pJson !== undefined), label(sType, sJson !== undefined))];
}

/** Field by field; a repeated field's values are joined with "," in order. Sorted by name. */
function compareForms(pText: string, sText: string): Draft[] {
  const pFields = formFields(pText);
  const sFields = formFields(sText);
  const names = [...new Set([...pFields.keys(), ...sFields.keys()])].sort();
  const drafts: Draft[] = [];
  for (const name of names) {
    const pValue = pFields.get(name);
    const sValue = sFields.get(name);
    if (pValue === sValue) continue;
    const kind = pValue === undefined ? 'field_added' : sValue === undefined ? 'field_removed' : 'value_changed';
    drafts.push(draft(`form.${name}`, kind, pValue ?? null, sValue ?? null));
  }
  return drafts;
}

function formFields(text: string): Map<string, string> {
  const params = new URLSearchParams(text);
  const fields = new Map<string, string>();
  for (const name of new Set(params.keys())) fields.set(name, params.getAll(name).join(','));
  return fields;
}

function compareTexts(pText: string, sText: string): Draft[] {
  if (pText === sText) return [];
  return [draft('body', 'text_differs', cut(pText), cut(sText))];
}

/** At most MAX_TEXT_VALUE_LENGTH characters, never splitting a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_TEXT_VALUE_LENGTH) return text;
  const last = text.charCodeAt(MAX_TEXT_VALUE_LENGTH - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_TEXT_VALUE_LENGTH - 1 : MAX_TEXT_VALUE_LENGTH;
  return text.slice(0, end);
}
