/**
 * What the comparator does with one job: validate, compare, persist in one transaction.
 * Pure of process concerns so both queues (and the tests) drive the same code.
 */
import { UnrecoverableError } from 'bullmq';
import { bodyText, compareExchange, ComparisonBudgetError, decodeBody, endpointOf, type CompareOptions } from '../../libs/diff/index.js';
import type { AnyJob } from '../../libs/queue/contracts.js';
import { compareExchangePayloadSchema, recordDropsPayloadSchema } from '../../libs/queue/payload-schemas.js';
import { recordDrops, recordExchange, type ExchangeOutcome, type Store, type StoredBody } from '../../libs/store/index.js';
import type { CapturedBody, Exchange, HeaderMap, SkipReason } from '../../libs/types/exchange.js';

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

export function outcomeOf(ex: Exchange, opts: CompareOptions, now = Date.now()): ExchangeOutcome {
  const base = {
    id: ex.id,
    run: ex.run,
    endpoint: endpointOf(ex.request.method, ex.request.url),
    method: ex.request.method,
    url: ex.request.url,
    shadowFailed: ex.shadowError !== null || (ex.shadow !== null && ex.shadow.status >= 500),
    primaryStatus: ex.primary.status,
    shadowStatus: ex.shadow?.status ?? null,
    primaryLatencyMs: ex.primary.latencyMs,
    shadowLatencyMs: ex.shadow?.latencyMs ?? ex.shadowError?.latencyMs ?? null,
    receivedAt: ex.receivedAt,
    comparedAt: now,
  };
  const skipped = (reason: SkipReason): ExchangeOutcome => ({ ...base, outcome: 'skipped', skipReason: reason, risk: null });
  if (ex.skipReason) return skipped(ex.skipReason);

  let comparison;
  try {
    comparison = compareExchange(ex, opts);
  } catch (error) {
    if (error instanceof ComparisonBudgetError) return skipped('comparison_budget_exceeded');
    throw error;
  }
  if (comparison.differences.length === 0 || comparison.risk === null) {
    return { ...base, outcome: 'match', skipReason: null, risk: null };
  }
  return {
    ...base,
    outcome: 'mismatch',
    skipReason: null,
    risk: comparison.risk,
    evidence: {
      request: { method: ex.request.method, url: ex.request.url, headers: ex.request.headers, ...storedBody(ex.request.body, ex.request.headers) },
      primary: { status: ex.primary.status, headers: ex.primary.headers, latencyMs: ex.primary.latencyMs, ...storedBody(ex.primary.body, ex.primary.headers) },
      shadow: ex.shadow
        ? { status: ex.shadow.status, headers: ex.shadow.headers, latencyMs: ex.shadow.latencyMs, error: null, ...storedBody(ex.shadow.body, ex.shadow.headers) }
        : {
            status: null,
            headers: {},
            latencyMs: ex.shadowError?.latencyMs ?? null,
            error: ex.shadowError ? `${ex.shadowError.code}: ${ex.shadowError.message}` : null,
            body: null,
            bodyEncoding: 'utf8',
            bodySize: 0,
            bodyTruncated: false,
          },
      differences: comparison.differences,
      risk: comparison.risk,
    },
  };
}

export interface JobResult {
  /** False when the job had already been recorded (a redelivery). */
  recorded: boolean;
}

export function createJobHandler(store: Store, opts: CompareOptions) {
  return async function handleJob(job: AnyJob): Promise<JobResult> {
    if (job.name === 'compare-exchange') {
      const parsed = compareExchangePayloadSchema.safeParse(job.payload);
      if (!parsed.success) throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
      return { recorded: recordExchange(store, outcomeOf(parsed.data.exchange, opts)) };
    }
    if (job.name === 'record-drops') {
      const parsed = recordDropsPayloadSchema.safeParse(job.payload);
      if (!parsed.success) throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
      return { recorded: recordDrops(store, parsed.data) };
    }
    throw new UnrecoverableError(`SD_ERR_PAYLOAD_INVALID: unknown job ${(job as { name: string }).name}`);
  };
}
