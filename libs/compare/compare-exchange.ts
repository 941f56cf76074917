import { createHash } from 'node:crypto';
import type { Comparison, Difference, DifferenceKind } from './difference.js';
import type { CapturedResponse, Exchange, RecordedContent } from '../exchange/exchange.js';
import { isEmptyBody } from '../http/body.js';
import type { ComparisonBudget, ComparisonRules } from './rules.js';
import { Budget } from './budget.js';
import { headerValue, type HeaderMap } from '../http/headers.js';
import { compareHeaders } from './compare-headers.js';
import type { CompiledRules } from './compile-rules.js';
import { hostEchoRewriter, type HostEchoMode, type HostEchoRewriter } from './host-echo.js';
import { compileRules } from './compile-rules.js';
import { contentKind } from './content-kind.js';
import { DecodedBodies } from './decoded-bodies.js';
import { duplicateKeyDifferences } from './duplicate-keys.js';
import { exactlyWithinTolerance, isJsonNumber, plainJson } from './exact-number.js';
import { diffJson } from './json-diff.js';
import type { Segment } from './json-path.js';
import { matchesPath, parseCanonicalPath } from './json-path.js';
import { lineDiff } from './line-diff.js';
import { highestRisk, riskOf } from './risk.js';

export interface CompareOptions {
  /** Header names to ignore in addition to DEFAULT_IGNORED_HEADERS. */
  ignoreHeaders?: readonly string[];
  /** Cap on a body after undoing its content-encoding. Default 8 MiB. */
  maxDecodedBytes?: number;
  /** The rules of the exchange's endpoint, already merged (mergeRules) and validated (validateRules). */
  rules?: ComparisonRules;
  /** Budget of the body comparison; defaults DEFAULT_BUDGET (2,000,000 nodes, 2000 ms). */
  budget?: Partial<ComparisonBudget>;
  /** `normalize` (default): the host the shadow was sent reads as the primary's (see host-echo); `off`: compared as sent. */
  hostEcho?: HostEchoMode;
  /** The job's decoded bodies, shared with whatever else reads them (the evidence, a second comparison). */
  bodies?: DecodedBodies;
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
 * Throws ComparisonBudgetError when a body is beyond the budget (too many JSON nodes, too slow, too
 * deeply nested, unordered arrays too far apart); the caller records the exchange as skipped with
 * reason `comparison_budget_exceeded`. Throws RuleError when given rules that do not compile.
 *
 * With rules (see libs/compare/rules.ts): header rules choose the headers compared; array rules choose
 * how arrays are matched (json-diff); ignore patterns then remove the JSON differences at or below a
 * matching path (prefix semantics; header, form and body paths are never matched by JSON patterns);
 * tolerance rules remove a `value_changed` between two numbers at a matching path (exact match) when
 * the numbers are close enough. `ruleHits` lists the rules that acted (see compile-rules for when a
 * rule "hits"); it is present exactly when rules were given.
 *
 * The host echo is undone first (unless `hostEcho: 'off'`): in the shadow's headers and textual body,
 * the Host it was sent (`exchange.hosts`) reads as the primary's. A recorded baseline (`primaryContent`)
 * is compared as the decoded content it is, and without a body when none was recorded.
 */
export function compareExchange(
  exchange: Pick<Exchange, 'request' | 'primary' | 'shadow' | 'shadowError' | 'hosts' | 'primaryContent'>,
  opts: CompareOptions = {},
): Comparison {
  const { request, primary, shadow, shadowError, primaryContent } = exchange;
  const rules = opts.rules === undefined ? undefined : compileRules(opts.rules);
  const hits = new Set<string>();

  if (shadowError !== null || shadow === null) {
    const message = shadowError === null ? 'error: no shadow response' : `${shadowError.code}: ${shadowError.message}`;
    return finish([draft('shadow', 'shadow_error', primary.status, message)], rules, hits);
  }

  const drafts: Draft[] = [];
  if (primary.status !== shadow.status) drafts.push(draft('status', 'status_changed', primary.status, shadow.status));
  // A shadow 5xx is a failure of the candidate even when the primary failed the same way.
  else if (shadow.status >= 500) drafts.push(draft('shadow', 'shadow_error', primary.status, `status ${shadow.status}`));
  const echo = opts.hostEcho === 'off' ? null : hostEchoRewriter(exchange.hosts);
  const shadowHeaders = echo ? echo.headers(shadow.headers) : shadow.headers;
  drafts.push(...compareHeadersWithRules(recordedHeaders(primary.headers, primaryContent), shadowHeaders, opts.ignoreHeaders ?? [], rules, hits));
  if (primaryContent?.bodyRecorded !== false && !skipsBody(request.method, primary, shadow)) {
    const budget = new Budget(opts.budget);
    const bodies = opts.bodies ?? new DecodedBodies();
    const body = compareBodies(primary, shadow, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES, { budget, rules, hits, echo, bodies });
    drafts.push(...(rules === undefined ? body : applyPathRules(body, rules, hits)));
  }
  return finish(drafts, rules, hits);
}

/** A recording stores its content decoded without the header: compare the Content-Encoding it saw. */
function recordedHeaders(headers: HeaderMap, content: RecordedContent | undefined): HeaderMap {
  return content?.contentEncoding ? { ...headers, 'content-encoding': content.contentEncoding } : headers;
}

function finish(drafts: readonly Draft[], rules: CompiledRules | undefined, hits: ReadonlySet<string>): Comparison {
  // Numbers beyond a double become their literal text here, after the rules have read them.
  const differences = drafts.map((d): Difference => ({ ...d, primary: plainJson(d.primary), shadow: plainJson(d.shadow), risk: riskOf(d) }));
  const comparison: Comparison = { differences, risk: highestRisk(differences) };
  if (rules !== undefined) comparison.ruleHits = rules.ids.filter((id) => hits.has(id));
  return comparison;
}

/** Lower-case names of the headers present in a map. */
function headerNames(headers: HeaderMap): Set<string> {
  return new Set(Object.keys(headers).map((name) => name.toLowerCase()));
}

function compareHeadersWithRules(
  primary: HeaderMap,
  shadow: HeaderMap,
  ignoreHeaders: readonly string[],
  rules: CompiledRules | undefined,
  hits: Set<string>,
): Difference[] {
  if (rules === undefined) return compareHeaders(primary, shadow, { ignore: ignoreHeaders });
  const present = new Set([...headerNames(primary), ...headerNames(shadow)]);
  for (const rule of [...rules.headerIgnore, ...(rules.headerAllow ?? [])]) if (present.has(rule.name)) hits.add(rule.id);
  return compareHeaders(primary, shadow, {
    ignore: [...ignoreHeaders, ...rules.headerIgnore.map((rule) => rule.name)],
    allow: rules.headerAllow?.map((rule) => rule.name),
  });
}

/**
 * Ignore patterns (prefix semantics) and tolerances (exact match, `value_changed` between two numbers)
 * over the JSON differences; other differences pass through.
 */
function applyPathRules(drafts: readonly Draft[], rules: CompiledRules, hits: Set<string>): Draft[] {
  if (rules.ignore.length === 0 && rules.tolerance.length === 0) return [...drafts];
  return drafts.filter((d) => {
    if (!d.path.startsWith('$')) return true;
    let segments: Segment[];
    try {
      segments = parseCanonicalPath(d.path);
    } catch {
      return true;
    }
    let keep = true;
    for (const rule of rules.ignore) {
      if (matchesPath(rule.pattern, segments, { prefix: true })) {
        hits.add(rule.id);
        keep = false;
      }
    }
    if (!keep) return false;
    if (d.kind === 'value_changed' && isJsonNumber(d.primary) && isJsonNumber(d.shadow)) {
      const [a, b] = [d.primary, d.shadow];
      const within =
        typeof a === 'number' && typeof b === 'number'
          ? (rule: CompiledRules['tolerance'][number]) => withinTolerance(a, b, rule)
          : (rule: CompiledRules['tolerance'][number]) => exactlyWithinTolerance(a, b, rule);
      for (const rule of rules.tolerance) {
        if (matchesPath(rule.pattern, segments, { prefix: false }) && within(rule)) return false;
      }
    }
    return true;
  });
}

/**
 * |a - b| <= absolute, or |a - b| <= relative × max(|a|, |b|); either suffices. Both bounds are
 * inclusive and forgive the rounding of binary floating point (1.0 against 1.1 is within 0.1).
 */
export function withinTolerance(a: number, b: number, rule: { absolute?: number | undefined; relative?: number | undefined }): boolean {
  const delta = Math.abs(a - b);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  const slack = 4 * Number.EPSILON * scale;
  if (rule.absolute !== undefined && delta <= rule.absolute + slack) return true;
  if (rule.relative !== undefined && delta <= rule.relative * scale + slack) return true;
  return false;
}

/** No body to compare: HEAD, 204 No Content, 304 Not Modified, or nothing on either side. */
function skipsBody(method: string, primary: CapturedResponse, shadow: CapturedResponse): boolean {
  if (method.toUpperCase() === 'HEAD') return true;
  if ([primary.status, shadow.status].some((status) => status === 204 || status === 304)) return true;
  return isEmptyBody(primary.body) && isEmptyBody(shadow.body);
}

interface Side {
  contentType: string | undefined;
  raw: Buffer;
  decoded: { bytes: Buffer } | { error: string };
}

function side(response: CapturedResponse, maxBytes: number, bodies: DecodedBodies): Side {
  return {
    contentType: headerValue(response.headers, 'content-type'),
    raw: bodies.raw(response.body),
    decoded: bodies.decoded(response.body, response.headers, maxBytes),
  };
}

interface BodyContext {
  budget: Budget;
  rules: CompiledRules | undefined;
  hits: Set<string>;
  /** Undoes the host echo in the shadow's textual body. */
  echo: HostEchoRewriter | null;
  bodies: DecodedBodies;
}

function compareBodies(primaryResponse: CapturedResponse, shadowResponse: CapturedResponse, maxBytes: number, ctx: BodyContext): Draft[] {
  const p = side(primaryResponse, maxBytes, ctx.bodies);
  const s = side(shadowResponse, maxBytes, ctx.bodies);

  if ('error' in p.decoded || 'error' in s.decoded) return undecodable(p, s, primaryResponse.headers, shadowResponse.headers);
  const pBytes = p.decoded.bytes;
  const kind = contentKind(p.contentType);
  if (kind !== contentKind(s.contentType)) {
    return [draft('body', 'body_type_changed', p.contentType ?? null, s.contentType ?? null)];
  }
  const sBytes = ctx.echo && kind !== 'binary' ? ctx.echo.bytes(s.decoded.bytes) : s.decoded.bytes;

  switch (kind) {
    case 'json':
      return compareJson(p.contentType, pBytes, s.contentType, sBytes, ctx);
    case 'form':
      return compareForms(ctx.bodies.text(pBytes, p.contentType), ctx.bodies.text(sBytes, s.contentType));
    case 'text':
      return compareTexts(ctx.bodies.text(pBytes, p.contentType), ctx.bodies.text(sBytes, s.contentType), ctx.budget);
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

/**
 * Both parse: structural diff. Exactly one parses: `body_type_changed`, whose values are the content
 * types, with `(invalid JSON)` appended on the side that did not parse. Neither: compared as text.
 */
function compareJson(pType: string | undefined, pBytes: Buffer, sType: string | undefined, sBytes: Buffer, ctx: BodyContext): Draft[] {
  // Numbers by exact value, repeated keys noted (parse-json.ts); undefined when not JSON.
  const pJson = ctx.bodies.json(pBytes, pType);
  const sJson = ctx.bodies.json(sBytes, sType);
  if (pJson !== undefined && sJson !== undefined) {
    ctx.budget.checkClock();
    const structural = diffJson(pJson.value, sJson.value, { budget: ctx.budget, rules: ctx.rules, hits: ctx.hits });
    return [...structural, ...duplicateKeyDifferences(pJson, sJson)];
  }
  if (pJson === undefined && sJson === undefined) return compareTexts(ctx.bodies.text(pBytes, pType), ctx.bodies.text(sBytes, sType), ctx.budget);
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

/**
 * Texts are compared whole; a difference carries the cut texts as values and, as `detail`, a unified
 * line diff of the whole texts (capped at 16 KiB; its effort bounded by the time left in the budget and
 * by MAX_LINE_DIFF_MILLIS, past which it is one hunk replacing all lines).
 */
function compareTexts(pText: string, sText: string, budget: Budget): Draft[] {
  if (pText === sText) return [];
  const detail = lineDiff(pText, sText, Math.max(1, budget.remainingMillis()));
  return [{ ...draft('body', 'text_differs', cut(pText), cut(sText)), detail }];
}

/** At most MAX_TEXT_VALUE_LENGTH characters, never splitting a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_TEXT_VALUE_LENGTH) return text;
  const last = text.charCodeAt(MAX_TEXT_VALUE_LENGTH - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_TEXT_VALUE_LENGTH - 1 : MAX_TEXT_VALUE_LENGTH;
  return text.slice(0, end);
}
