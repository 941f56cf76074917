/**
 * What the comparator does with one job: validate, compare (against the shadow, and the secondary
 * when there is one), persist in one transaction. Free of process concerns so both queues (and the
 * tests) drive the same code.
 */
import { UnrecoverableError } from 'bullmq';
import type { ComparisonConfig } from '../../libs/config/comparison-config.js';
import {
  bodyText,
  compareExchange,
  ComparisonBudgetError,
  decodeBody,
  highestRisk,
  mergeRules,
  ruleIds,
  type CompareOptions,
} from '../../libs/diff/index.js';
import { createEndpointResolver } from '../../libs/diff/route-table.js';
import type { AnyJob } from '../../libs/queue/contracts.js';
import { compareExchangePayloadSchema, recordDropsPayloadSchema } from '../../libs/queue/payload-schemas.js';
import {
  recordDrops,
  recordExchange,
  type ExchangeOutcome,
  type Store,
  type StoredBody,
  type StoredDifference,
  type StoredResponse,
} from '../../libs/store/index.js';
import type { Comparison } from '../../libs/types/difference.js';
import type { CapturedBody, CapturedResponse, Exchange, HeaderMap, ShadowError, SkipReason } from '../../libs/types/exchange.js';
import type { ComparisonRules } from '../../libs/types/rules.js';
import { REDACTED } from '../../libs/capture/redact.js';
import { Redaction } from '../../libs/capture/redaction.js';
import type { CaptureRecord } from '../../libs/store/index.js';

/** Body bytes kept per side in a discrepancy's evidence. */
export const STORED_BODY_MAX_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function contentType(headers: HeaderMap): string | undefined {
  const v = headers['content-type'];
  return Array.isArray(v) ? v[0] : v;
}

/** Evidence bodies are stored decoded and as text when they are text, base64 otherwise. */
export function storedBody(body: CapturedBody, headers: HeaderMap): StoredBody {
  if (body.base64 === '') return { body: null, bodyEncoding: 'utf8', bodySize: body.size, bodyTruncated: body.truncated };
  let bytes: Buffer = Buffer.from(body.base64, 'base64');
  if (!body.truncated) {
    const decoded = decodeBody(bytes, headers, STORED_BODY_MAX_BYTES * 4);
    if ('bytes' in decoded) bytes = decoded.bytes;
  }
  const truncated = body.truncated || bytes.length > STORED_BODY_MAX_BYTES;
  const kept = bytes.subarray(0, STORED_BODY_MAX_BYTES);
  try {
    utf8.decode(kept);
    return { body: bodyText(kept, contentType(headers)), bodyEncoding: 'utf8', bodySize: body.size, bodyTruncated: truncated };
  } catch {
    return { body: kept.toString('base64'), bodyEncoding: 'base64', bodySize: body.size, bodyTruncated: truncated };
  }
}

/** A body as it may be stored: redacted, then decoded to text where it is text. */
function safeBody(r: Redaction, body: CapturedBody, headers: HeaderMap): StoredBody & { headers: HeaderMap } {
  const red = r.body(body, headers);
  return { ...storedBody(red.body, red.headers), headers: red.headers };
}

function storedResponse(r: Redaction, response: CapturedResponse | null, error: ShadowError | null): StoredResponse {
  if (response) return { status: response.status, latencyMs: response.latencyMs, error: null, ...safeBody(r, response.body, response.headers) };
  return {
    status: null,
    headers: {},
    latencyMs: error?.latencyMs ?? null,
    error: error ? `${error.code}: ${error.message}` : null,
    body: null,
    bodyEncoding: 'utf8',
    bodySize: 0,
    bodyTruncated: false,
  };
}

export interface ComparatorSettings {
  compare?: Omit<CompareOptions, 'rules'>;
  comparison?: ComparisonConfig;
  /** What is redacted before anything is stored (the default headers when absent). */
  redaction?: Redaction;
  /** Keep live exchanges for replay (off when --capture-max is 0). */
  capture?: boolean;
}

/** Resolves endpoints and their rules once per endpoint, not once per job. */
export function createComparisonContext(settings: ComparatorSettings) {
  const comparison = settings.comparison ?? { global: {}, endpoints: {}, routes: [] };
  const resolveEndpoint = createEndpointResolver(comparison.routes);
  const cache = new Map<string, { rules: ComparisonRules; ids: string[] }>();
  return {
    compare: settings.compare ?? {},
    redaction: settings.redaction ?? new Redaction(),
    capture: settings.capture ?? true,
    resolveEndpoint,
    rulesFor(endpoint: string) {
      let entry = cache.get(endpoint);
      if (!entry) {
        const rules = mergeRules(comparison.global, comparison.endpoints[endpoint]);
        entry = { rules, ids: ruleIds(rules) };
        cache.set(endpoint, entry);
      }
      return entry;
    },
  };
}

export type ComparisonContext = ReturnType<typeof createComparisonContext>;

/** The request and primary response kept for replay, redacted; null when the request cannot be replayed. */
function captureOf(ex: Exchange, ctx: ComparisonContext): CaptureRecord | undefined {
  if (!ctx.capture || (ex.runKind ?? 'live') !== 'live' || ex.request.body.truncated || ex.primary.status === 0) return undefined;
  const request = ctx.redaction.body(ex.request.body, ex.request.headers);
  const primary = ctx.redaction.body(ex.primary.body, ex.primary.headers);
  return {
    request: { method: ex.request.method, url: ctx.redaction.url(ex.request.url), headers: request.headers, body: request.body.base64, bodySize: request.body.size },
    response: ex.primary.body.truncated ? null : { status: ex.primary.status, headers: primary.headers, body: primary.body.base64, latencyMs: ex.primary.latencyMs },
  };
}

/** A difference's values under a redacted path or header are not stored. */
function redactDifference<T extends StoredDifference>(r: Redaction, d: T): T {
  const header = d.path.startsWith('header.') && r.headerNames.has(d.path.slice('header.'.length));
  if (!header && !r.coversPath(d.path)) return d;
  // Headers were redacted at the ingress already; body values hash under the store's key, so they stay comparable.
  if (header) return { ...d, primary: d.primary === null ? null : REDACTED, shadow: d.shadow === null ? null : REDACTED, detail: undefined };
  return { ...d, primary: d.primary === null ? null : r.value(d.primary), shadow: d.shadow === null ? null : r.value(d.shadow), detail: undefined };
}

export function outcomeOf(ex: Exchange, ctx: ComparisonContext, now = Date.now()): ExchangeOutcome {
  const endpoint = ctx.resolveEndpoint(ex.request.method, ex.request.url);
  const { rules, ids } = ctx.rulesFor(endpoint);
  const capture = captureOf(ex, ctx);
  const base = {
    id: ex.id,
    run: ex.run,
    runKind: ex.runKind ?? 'live',
    endpoint,
    method: ex.request.method,
    url: ctx.redaction.url(ex.request.url),
    shadowFailed: ex.shadowError !== null || (ex.shadow !== null && ex.shadow.status >= 500),
    primaryStatus: ex.primary.status,
    shadowStatus: ex.shadow?.status ?? null,
    primaryLatencyMs: ex.primary.latencyMs,
    shadowLatencyMs: ex.shadow?.latencyMs ?? ex.shadowError?.latencyMs ?? null,
    hasSecondary: false,
    secondaryStatus: ex.secondary?.status ?? null,
    receivedAt: ex.receivedAt,
    comparedAt: now,
    ...(capture ? { capture } : {}),
  };
  const skipped = (reason: SkipReason): ExchangeOutcome => ({
    ...base,
    outcome: 'skipped',
    skipReason: reason,
    risk: null,
    differences: [],
    rules: { evaluated: [], hits: [] },
  });
  if (ex.skipReason) return skipped(ex.skipReason);

  const opts: CompareOptions = { ...ctx.compare, rules };
  let vsShadow: Comparison;
  let vsSecondary: Comparison | null = null;
  try {
    vsShadow = compareExchange(ex, opts);
    if (ex.secondary) vsSecondary = compareExchange({ request: ex.request, primary: ex.primary, shadow: ex.secondary, shadowError: null }, opts);
  } catch (error) {
    if (error instanceof ComparisonBudgetError) return skipped('comparison_budget_exceeded');
    throw error;
  }

  // What the primary's own version varies on for this very request is noise, not a regression;
  // a failing shadow is a mismatch whatever the secondary did.
  const noisePaths = new Set(vsSecondary?.differences.map((d) => d.path) ?? []);
  const differences: StoredDifference[] = [
    ...vsShadow.differences.map((d) => ({ ...d, side: 'shadow' as const, cancelled: d.kind !== 'shadow_error' && noisePaths.has(d.path) })),
    ...(vsSecondary?.differences ?? []).map((d) => ({ ...d, side: 'secondary' as const, cancelled: false })),
  ].map((d) => redactDifference(ctx.redaction, d));
  const counting = differences.filter((d) => d.side === 'shadow' && !d.cancelled);
  const risk = highestRisk(counting);
  const hits = new Set([...(vsShadow.ruleHits ?? []), ...(vsSecondary?.ruleHits ?? [])]);
  const common = {
    ...base,
    hasSecondary: vsSecondary !== null,
    skipReason: null,
    differences,
    rules: { evaluated: ids, hits: ids.filter((id) => hits.has(id)) },
  };
  if (counting.length === 0 || risk === null) return { ...common, outcome: 'match', risk: null };
  return {
    ...common,
    outcome: 'mismatch',
    risk,
    evidence: {
      request: { method: ex.request.method, url: ctx.redaction.url(ex.request.url), ...safeBody(ctx.redaction, ex.request.body, ex.request.headers) },
      primary: { status: ex.primary.status, latencyMs: ex.primary.latencyMs, ...safeBody(ctx.redaction, ex.primary.body, ex.primary.headers) },
      shadow: storedResponse(ctx.redaction, ex.shadow, ex.shadowError),
      secondary:
        ex.secondary !== undefined || ex.secondaryError ? storedResponse(ctx.redaction, ex.secondary ?? null, ex.secondaryError ?? null) : null,
      risk,
    },
  };
}

export interface JobResult {
  /** False when the job had already been recorded (a redelivery). */
  recorded: boolean;
}

export function createJobHandler(store: Store, settings: ComparatorSettings = {}) {
  const ctx = createComparisonContext(settings);
  return async function handleJob(job: AnyJob): Promise<JobResult> {
    if (job.name === 'compare-exchange') {
      const parsed = compareExchangePayloadSchema.safeParse(job.payload);
      if (!parsed.success) throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
      return { recorded: recordExchange(store, outcomeOf(parsed.data.exchange, ctx)) };
    }
    if (job.name === 'record-drops') {
      const parsed = recordDropsPayloadSchema.safeParse(job.payload);
      if (!parsed.success) throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
      return { recorded: recordDrops(store, parsed.data) };
    }
    throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: unknown job ${(job as { name: string }).name}`);
  };
}
