/**
 * What the comparator does with one job: validate, compare (against the shadow, and the secondary
 * when there is one), persist through the batch writer (one transaction per batch of jobs). Free of
 * process concerns so both queues (and the tests) drive the same code.
 */
import { isUtf8 } from 'node:buffer';
import { UnrecoverableError } from 'bullmq';
import type { ComparisonConfig } from '../../libs/config/comparison-config.js';
import { PayloadInvalidError } from '../../libs/errors.js';
import {
  compareExchange,
  ComparisonBudgetError,
  highestRisk,
  mergeRules,
  ruleIds,
  type CompareOptions,
} from '../../libs/compare/index.js';
import { bodyText } from '../../libs/compare/decode-body.js';
import { capturedBase64, DecodedBodies } from '../../libs/compare/decoded-bodies.js';
import { createEndpointResolver } from '../../libs/compare/route-table.js';
import { createEndpointCap } from './endpoint-cap.js';
import { JOB_ATTEMPTS, type AnyJob } from '../../libs/exchange/contracts.js';
import { compareExchangePayloadSchema, recordDropsPayloadSchema } from '../../libs/exchange/payload-schemas.js';
import {
  recordDrops,
  recordFailedExchange,
  UNKNOWN_ENDPOINT,
  type ExchangeOutcome,
  type FailedExchange,
  type Store,
  type StoredBody,
  type StoredDifference,
  type StoredResponse,
} from '../../libs/store/index.js';
import type { Comparison } from '../../libs/compare/difference.js';
import type { CapturedResponse, Exchange, ShadowError, SkipReason } from '../../libs/exchange/exchange.js';
import type { ComparisonRules } from '../../libs/compare/rules.js';
import { isEmptyBody, type CapturedBody } from '../../libs/http/body.js';
import { firstHeader, type HeaderMap } from '../../libs/http/headers.js';
import { REDACTED } from '../../libs/http/redact-headers.js';
import { Redaction } from '../../libs/compare/redaction.js';
import type { CaptureRecord } from '../../libs/store/index.js';
import { createBatchWriter, type BatchWriterOptions, type RecordBatch } from './batch-writer.js';

/** Body bytes kept per side in a discrepancy's evidence. */
export const STORED_BODY_MAX_BYTES = 256 * 1024;

const contentType = (headers: HeaderMap): string | undefined => firstHeader(headers, 'content-type');

/**
 * Evidence bodies are stored decoded and as text when they are text, base64 otherwise. `bodies` are
 * the job's decoded bodies: what the comparison decoded is not decoded again.
 */
export function storedBody(body: CapturedBody, headers: HeaderMap, bodies = new DecodedBodies()): StoredBody {
  if (isEmptyBody(body)) return { body: null, bodyEncoding: 'utf8', bodySize: body.size, bodyTruncated: body.truncated };
  let bytes = bodies.raw(body);
  if (!body.truncated) {
    const decoded = bodies.decoded(body, headers, STORED_BODY_MAX_BYTES * 4);
    if ('bytes' in decoded) bytes = decoded.bytes;
  }
  const truncated = body.truncated || bytes.length > STORED_BODY_MAX_BYTES;
  const kept = bytes.subarray(0, STORED_BODY_MAX_BYTES);
  if (!isUtf8(kept)) return { body: kept.toString('base64'), bodyEncoding: 'base64', bodySize: body.size, bodyTruncated: truncated };
  // A body kept whole is the very text the comparison read.
  const text = kept.length === bytes.length ? bodies.text(bytes, contentType(headers)) : bodyText(kept, contentType(headers));
  return { body: text, bodyEncoding: 'utf8', bodySize: body.size, bodyTruncated: truncated };
}

/** A body as it may be stored: redacted, then decoded to text where it is text. */
function safeBody(r: Redaction, body: CapturedBody, headers: HeaderMap, bodies: DecodedBodies): StoredBody & { headers: HeaderMap } {
  const red = r.body(body, headers, bodies);
  return { ...storedBody(red.body, red.headers, bodies), headers: red.headers };
}

function storedResponse(r: Redaction, response: CapturedResponse | null, error: ShadowError | null, bodies: DecodedBodies): StoredResponse {
  if (response) return { status: response.status, latencyMs: response.latencyMs, error: null, ...safeBody(r, response.body, response.headers, bodies) };
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
  /** Distinct endpoints per run; past it new templates count under `OTHER` (--max-endpoints). */
  maxEndpoints?: number;
  /** Told about every pair counted as `comparator_error`, with the stage that failed. */
  onComparatorError?: (job: { id: string; run: string }, stage: ComparatorStage, error: unknown) => void;
  /** The stages a job goes through; replaceable so tests can inject faults into each. */
  stages?: Partial<ComparatorStages>;
  /** How outcomes are batched into transactions (batch-writer.ts). */
  batch?: Omit<BatchWriterOptions, 'record'>;
}

/** `queue`: the queue gave up on the job before a comparator could try it (AnyJob's `abandoned`). */
export type ComparatorStage = 'payload' | 'compare' | 'outcome' | 'store' | 'queue';

export interface ComparatorStages {
  compare: typeof compareExchange;
  /** Runs on the finished outcome before it is stored. */
  finishOutcome: (outcome: ExchangeOutcome) => ExchangeOutcome;
  /** Writes a batch of outcomes (recordBatch). */
  record: RecordBatch;
}

/**
 * Resolves endpoints (capped per run when a store is given) and their rules: once per endpoint
 * that has its own rules, once for all the others, so unique paths cannot grow this cache.
 */
export function createComparisonContext(settings: ComparatorSettings, store?: Store) {
  const comparison = settings.comparison ?? { global: {}, endpoints: {}, routes: [] };
  const resolveEndpoint = createEndpointResolver(comparison.routes);
  const cap = createEndpointCap(store, settings.maxEndpoints);
  const cache = new Map<string | symbol, { rules: ComparisonRules; ids: string[] }>();
  const GLOBAL = Symbol('global rules');
  return {
    compare: settings.compare ?? {},
    compareExchange: settings.stages?.compare ?? compareExchange,
    redaction: settings.redaction ?? new Redaction(),
    capture: settings.capture ?? true,
    resolveEndpoint,
    /** The endpoint a pair counts under: its template, or OTHER past the run's cap (read from the store). */
    endpointFor: (run: string, template: string): Promise<string> => cap(run, template),
    rulesFor(template: string) {
      const own = Object.hasOwn(comparison.endpoints, template) ? comparison.endpoints[template] : undefined;
      const key = own ? template : GLOBAL;
      let entry = cache.get(key);
      if (!entry) {
        const rules = mergeRules(comparison.global, own);
        entry = { rules, ids: ruleIds(rules) };
        cache.set(key, entry);
      }
      return entry;
    },
  };
}

export type ComparisonContext = ReturnType<typeof createComparisonContext>;

/** The request and primary response kept for replay, redacted; null when the request cannot be replayed. */
function captureOf(ex: Exchange, ctx: ComparisonContext, bodies: DecodedBodies): CaptureRecord | undefined {
  if (!ctx.capture || (ex.runKind ?? 'live') !== 'live' || ex.request.body.truncated || ex.primary.status === 0) return undefined;
  const request = ctx.redaction.body(ex.request.body, ex.request.headers, bodies);
  const primary = ctx.redaction.body(ex.primary.body, ex.primary.headers, bodies);
  return {
    request: { method: ex.request.method, url: ctx.redaction.url(ex.request.url), headers: request.headers, body: capturedBase64(request.body), bodySize: request.body.size },
    response: ex.primary.body.truncated
      ? null
      : { status: ex.primary.status, headers: primary.headers, body: capturedBase64(primary.body), latencyMs: ex.primary.latencyMs },
  };
}

/** A difference's values under a redacted path or header are not stored. */
function redactDifference<T extends StoredDifference>(r: Redaction, d: T): T {
  if (d.kind === 'text_differs') return redactTextDifference(r, d);
  const header = d.path.startsWith('header.') && r.headerNames.has(d.path.slice('header.'.length));
  if (!header && !r.coversPath(d.path)) return d;
  // Headers were redacted at the ingress already; body values hash under the store's key, so they stay comparable.
  if (header) return { ...d, primary: d.primary === null ? null : REDACTED, shadow: d.shadow === null ? null : REDACTED, detail: undefined };
  return { ...d, primary: d.primary === null ? null : r.value(d.primary), shadow: d.shadow === null ? null : r.value(d.shadow), detail: undefined };
}

/**
 * A body compared as text (JSON sent as text/plain or untyped, a JSON body that does not parse)
 * carries both texts and a line diff: the texts are redacted as bodies are, and the line diff,
 * which would repeat what was redacted, is dropped when anything was.
 */
function redactTextDifference<T extends StoredDifference>(r: Redaction, d: T): T {
  const primary = typeof d.primary === 'string' ? r.text(d.primary) : d.primary;
  const shadow = typeof d.shadow === 'string' ? r.text(d.shadow) : d.shadow;
  if (primary === d.primary && shadow === d.shadow) return d;
  return { ...d, primary, shadow, detail: undefined };
}

export async function outcomeOf(ex: Exchange, ctx: ComparisonContext, now = Date.now()): Promise<ExchangeOutcome> {
  const template = ctx.resolveEndpoint(ex.request.method, ex.request.url);
  const { rules, ids } = ctx.rulesFor(template);
  const endpoint = await ctx.endpointFor(ex.run, template);
  // Each body is decoded once for the job: by the comparison, the evidence and the redaction alike.
  const bodies = new DecodedBodies();
  const capture = captureOf(ex, ctx, bodies);
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

  const opts: CompareOptions = { ...ctx.compare, rules, bodies };
  let vsShadow: Comparison;
  let vsSecondary: Comparison | null = null;
  try {
    vsShadow = ctx.compareExchange(ex, opts);
    if (ex.secondary) vsSecondary = ctx.compareExchange({ request: ex.request, primary: ex.primary, shadow: ex.secondary, shadowError: null }, opts);
  } catch (error) {
    if (error instanceof ComparisonBudgetError) return skipped('comparison_budget_exceeded');
    throw new StageError('compare', error);
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
      request: { method: ex.request.method, url: ctx.redaction.url(ex.request.url), ...safeBody(ctx.redaction, ex.request.body, ex.request.headers, bodies) },
      primary: { status: ex.primary.status, latencyMs: ex.primary.latencyMs, ...safeBody(ctx.redaction, ex.primary.body, ex.primary.headers, bodies) },
      shadow: storedResponse(ctx.redaction, ex.shadow, ex.shadowError, bodies),
      secondary:
        ex.secondary !== undefined || ex.secondaryError
          ? storedResponse(ctx.redaction, ex.secondary ?? null, ex.secondaryError ?? null, bodies)
          : null,
      risk,
    },
  };
}

/**
 * An exception from one stage of the comparator, so the log says which. Control flow, not a
 * ShadowDiffError: failed() unwraps it, and the pair is counted as skipped (comparator_error).
 */
class StageError extends Error {
  constructor(
    readonly stage: ComparatorStage,
    override readonly cause: unknown,
  ) {
    super(`${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * A payload that breaks its contract: BullMQ's UnrecoverableError, so the job fails at once and is never
 * retried, with the PayloadInvalidError as its cause and its code as a property. The message keeps the
 * code in front, as failed jobs and the comparator's log have always read it.
 */
function payloadInvalid(problem: string): UnrecoverableError {
  const cause = new PayloadInvalidError(problem);
  return Object.assign(new UnrecoverableError(`${cause.code}: ${problem}`), { code: cause.code, cause });
}

/** SQLite busy or locked: another connection holds the lock; the same write may pass later. */
function isTransient(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  }
  return false;
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * What can be read of a pair from a payload the comparator could not handle: an id and a run are
 * enough to count it. Null when even those are missing (the job then fails, visibly).
 */
export async function failedExchangeOf(payload: unknown, ctx: ComparisonContext): Promise<FailedExchange | null> {
  const ex = (payload as { exchange?: Record<string, unknown> } | null)?.exchange;
  if (typeof ex !== 'object' || ex === null) return null;
  const id = text(ex.id, 200);
  const run = text(ex.run, 100);
  if (!id || !run) return null;
  const request = (ex.request ?? {}) as Record<string, unknown>;
  const method = text(request.method, 32);
  const url = text(request.url, 8192);
  let endpoint = UNKNOWN_ENDPOINT;
  try {
    if (method && url) endpoint = await ctx.endpointFor(run, ctx.resolveEndpoint(method, url));
  } catch {
    // the pair still counts, under UNKNOWN
  }
  return {
    id,
    run,
    runKind: ex.runKind === 'replay' ? 'replay' : 'live',
    endpoint,
    method: method ?? '-',
    url: url ?? '-',
    primaryStatus: num((ex.primary as { status?: unknown } | null)?.status) ?? 0,
    receivedAt: num(ex.receivedAt) ?? Date.now(),
  };
}

export interface JobResult {
  /** False when the job had already been recorded (a redelivery). */
  recorded: boolean;
}

export function createJobHandler(store: Store, settings: ComparatorSettings = {}) {
  const ctx = createComparisonContext(settings, store);
  // Jobs in flight: when all of them wait for the writer, their batch is complete.
  let active = 0;
  const writer = createBatchWriter(store, {
    ...settings.batch,
    inFlight: () => active,
    ...(settings.stages?.record ? { record: settings.stages.record } : {}),
  });
  const finish = settings.stages?.finishOutcome ?? ((o: ExchangeOutcome) => o);
  const failed = async (job: AnyJob, stage: ComparatorStage, error: unknown): Promise<JobResult> => {
    const pair = await failedExchangeOf(job.payload, ctx);
    if (!pair) throw error instanceof StageError ? error.cause : error;
    const recorded = await recordFailedExchange(store, pair);
    if (recorded) settings.onComparatorError?.({ id: pair.id, run: pair.run }, stage, error instanceof StageError ? error.cause : error);
    return { recorded };
  };
  return async function handleJob(job: AnyJob): Promise<JobResult> {
    active++;
    try {
      return await handleOne(job);
    } finally {
      active--;
      writer.settle();
    }
  };

  async function handleOne(job: AnyJob): Promise<JobResult> {
    if (job.name === 'compare-exchange') {
      // Not compared again: comparing it may be what killed its workers.
      if (job.abandoned !== undefined) return failed(job, 'queue', new Error(job.abandoned));
      const parsed = compareExchangePayloadSchema.safeParse(job.payload);
      if (!parsed.success) {
        return failed(job, 'payload', payloadInvalid(parsed.error.issues[0]?.message ?? 'invalid payload'));
      }
      let outcome: ExchangeOutcome;
      try {
        outcome = finish(await outcomeOf(parsed.data.exchange, ctx));
      } catch (error) {
        return failed(job, error instanceof StageError ? error.stage : 'outcome', error);
      }
      try {
        return { recorded: await writer.write(outcome) };
      } catch (error) {
        // A locked database passes: retry for the full outcome. Anything else will fail again.
        if (isTransient(error) && job.attempt + 1 < JOB_ATTEMPTS) throw error;
        return failed(job, 'store', error);
      }
    }
    if (job.name === 'record-drops') {
      const parsed = recordDropsPayloadSchema.safeParse(job.payload);
      if (!parsed.success) throw payloadInvalid(parsed.error.issues[0]?.message ?? 'invalid payload');
      return { recorded: await recordDrops(store, parsed.data) };
    }
    throw payloadInvalid(`unknown job ${(job as { name: string }).name}`);
  }
}
