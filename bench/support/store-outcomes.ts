/**
 * Outcomes for the store benchmark, built directly (no comparison): what the comparator hands the
 * store for a realistic mix of traffic. 50 endpoints with a skewed share of the traffic; one
 * exchange in ten a mismatch, its differences from a small set of signatures, with the evidence of
 * the 1 KB pair of bench/payloads.ts; one in five with a secondary (A/A), whose own differences make
 * one field noise at report time; a few skipped; lognormal latencies with a slow tail; one rule on
 * a tenth of the endpoints. Deterministic for a seed (ids aside: random UUIDs, as the ingress's).
 */
import { randomUUID } from 'node:crypto';
import type { ExchangeOutcome, StoredDifference, StoredResponse } from '../../libs/store/index.js';
import type { DifferenceKind, Risk } from '../../libs/compare/difference.js';
import { payloadPairs } from '../payloads.js';

/** mulberry32: a small, fast, seedable generator (Math.random cannot be seeded). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESOURCES = ['users', 'orders', 'items', 'carts', 'payments', 'reviews', 'search', 'inventory', 'prices', 'shipments'];
const SHAPES: [method: string, suffix: string][] = [
  ['GET', ''],
  ['GET', '/:id'],
  ['POST', ''],
  ['PUT', '/:id'],
  ['DELETE', '/:id'],
];

/** The 50 endpoints, most used first. */
export const BENCH_ENDPOINTS: readonly { endpoint: string; method: string; template: string }[] = SHAPES.flatMap(([method, suffix]) =>
  RESOURCES.map((r) => ({ endpoint: `${method} /api/v1/${r}${suffix}`, method, template: `/api/v1/${r}${suffix}` })),
);

/** Zipf-like shares (1 / rank^0.8): a few endpoints carry most of the traffic, as in real services. */
const CUMULATIVE = (() => {
  const w = BENCH_ENDPOINTS.map((_, i) => 1 / (i + 1) ** 0.8);
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
})();

interface FieldSpec {
  field: string;
  risk: Risk;
  kind: DifferenceKind;
  /** Occurrences per exchange (array fields differ at several indices). */
  paths: (rand: () => number) => string[];
}

const one = (path: string) => () => [path];
const indexed = (field: string) => (rand: () => number) => {
  const n = 1 + Math.floor(rand() * 3);
  return Array.from({ length: n }, (_, i) => field.replace('[*]', `[${i}]`));
};

const FIELDS: Record<string, FieldSpec> = {
  price: { field: '$.price', risk: 'high', kind: 'value_changed', paths: one('$.price') },
  discount: { field: '$.discount', risk: 'medium', kind: 'value_changed', paths: one('$.discount') },
  total: { field: '$.total', risk: 'medium', kind: 'value_changed', paths: one('$.total') },
  updatedAt: { field: '$.items[*].updatedAt', risk: 'low', kind: 'value_changed', paths: indexed('$.items[*].updatedAt') },
  tags: { field: '$.items[*].tags', risk: 'medium', kind: 'array_length', paths: indexed('$.items[*].tags') },
  etag: { field: 'header.etag', risk: 'low', kind: 'header_changed', paths: one('header.etag') },
  requestId: { field: 'header.x-request-id', risk: 'low', kind: 'header_changed', paths: one('header.x-request-id') },
  status: { field: 'status', risk: 'high', kind: 'status_changed', paths: one('status') },
};

/** The signatures a mismatch is drawn from, with their weights. `status` is a failing shadow (503). */
export const BENCH_SIGNATURES: readonly { fields: (keyof typeof FIELDS)[]; weight: number }[] = [
  { fields: ['price'], weight: 20 },
  { fields: ['updatedAt'], weight: 20 },
  { fields: ['etag'], weight: 15 },
  { fields: ['discount', 'price'], weight: 10 },
  { fields: ['tags'], weight: 10 },
  // Noise at report time: the secondary differs at x-request-id on every A/A exchange.
  { fields: ['requestId'], weight: 10 },
  { fields: ['total', 'updatedAt'], weight: 10 },
  { fields: ['status'], weight: 5 },
];
const SIGNATURE_TOTAL = BENCH_SIGNATURES.reduce((a, s) => a + s.weight, 0);

export const MISMATCH_SHARE = 0.1;
export const SECONDARY_SHARE = 0.2;
export const SKIPPED_SHARE = 0.005;
const SKIP_REASONS = ['body_too_large', 'budget_exceeded'];
const RULE = 'ignore-date-header';

/** A standard normal draw (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Milliseconds: lognormal around `median`, one in a hundred ten times slower (the tail p99 sees). */
function latency(rand: () => number, median: number): number {
  const ms = median * Math.exp(0.6 * normal(rand)) * (rand() < 0.01 ? 10 : 1);
  return Math.round(Math.min(ms, 59_000) * 100) / 100;
}

/** The catalogue page of bench/payloads.ts with a description making it 1 KB, as the write target says. */
function kilobyteBody(doc: unknown): string {
  const text = JSON.stringify(doc ?? {});
  const pad = Math.max(0, 1024 - text.length - ',"description":""'.length);
  return JSON.stringify({ ...(doc as object), description: 'Seasonal catalogue page. '.repeat(Math.ceil(pad / 25)).slice(0, pad) });
}
const PAIR = payloadPairs()[0];
const PRIMARY_BODY = kilobyteBody(PAIR?.primary);
const SHADOW_BODY = kilobyteBody(PAIR?.shadow);
const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function response(status: number, body: string, latencyMs: number | null): StoredResponse {
  return {
    status,
    headers: { ...JSON_HEADERS, 'content-length': String(body.length) },
    latencyMs,
    error: null,
    body,
    bodyEncoding: 'utf8',
    bodySize: body.length,
    bodyTruncated: false,
  };
}

function differencesOf(spec: FieldSpec, side: 'shadow' | 'secondary', rand: () => number): StoredDifference[] {
  return spec.paths(rand).map((path) => ({
    path,
    field: spec.field,
    kind: spec.kind,
    risk: spec.risk,
    primary: spec.kind === 'status_changed' ? 200 : `p-${path.length}`,
    shadow: spec.kind === 'status_changed' ? 503 : `s-${Math.floor(rand() * 1000)}`,
    side,
    cancelled: false,
  }));
}

export interface OutcomeStreamOptions {
  run: string;
  /** How many outcomes; their receive times sweep [startMs, startMs + spanMs) in order, as traffic arrives. */
  count: number;
  startMs: number;
  spanMs: number;
  seed: number;
}

/** One outcome; `i` of `count` places it in time. */
function outcomeAt(o: OutcomeStreamOptions, i: number, rand: () => number): ExchangeOutcome {
  const receivedAt = Math.floor(o.startMs + ((i + rand()) * o.spanMs) / o.count);
  const pick = rand();
  const e = BENCH_ENDPOINTS[Math.max(0, CUMULATIVE.findIndex((c) => pick <= c))] ?? BENCH_ENDPOINTS[0]!;
  const url = e.template.replace(':id', String(1 + Math.floor(rand() * 100_000)));
  const primaryLatencyMs = latency(rand, 20);
  const hasSecondary = rand() < SECONDARY_SHARE;
  const withRule = BENCH_ENDPOINTS.indexOf(e) % 10 === 0;
  const base = {
    id: randomUUID(),
    run: o.run,
    runKind: 'live' as const,
    endpoint: e.endpoint,
    method: e.method,
    url,
    primaryStatus: 200,
    primaryLatencyMs,
    receivedAt,
    comparedAt: receivedAt + Math.ceil(primaryLatencyMs) + 5,
    rules: { evaluated: withRule ? [RULE] : [], hits: withRule && hasSecondary ? [RULE] : [] },
  };
  if (rand() < SKIPPED_SHARE) {
    const skipReason = SKIP_REASONS[Math.floor(rand() * SKIP_REASONS.length)] ?? 'body_too_large';
    return { ...base, outcome: 'skipped', skipReason, shadowFailed: false, shadowStatus: null, shadowLatencyMs: null, risk: null, hasSecondary: false, secondaryStatus: null, differences: [], rules: { evaluated: [], hits: [] } };
  }
  // A/A: the secondary differs from the primary at x-request-id always, at updatedAt now and then.
  const secondaryDiffs = hasSecondary
    ? [...differencesOf(FIELDS.requestId!, 'secondary', rand), ...(rand() < 0.05 ? differencesOf(FIELDS.updatedAt!, 'secondary', rand) : [])]
    : [];
  const mismatch = rand() < MISMATCH_SHARE;
  let shadowDiffs: StoredDifference[] = [];
  if (mismatch) {
    let w = rand() * SIGNATURE_TOTAL;
    const sig = BENCH_SIGNATURES.find((s) => (w -= s.weight) < 0) ?? BENCH_SIGNATURES[0]!;
    shadowDiffs = sig.fields.flatMap((f) => differencesOf(FIELDS[f]!, 'shadow', rand));
  }
  // The secondary showing the same field on this request cancels the shadow's difference there.
  const cancelledFields = new Set(secondaryDiffs.map((d) => d.field));
  for (const d of shadowDiffs) d.cancelled = cancelledFields.has(d.field);
  const counting = shadowDiffs.filter((d) => !d.cancelled);
  const shadowFailed = counting.some((d) => d.field === 'status');
  const shadowStatus = shadowFailed ? 503 : 200;
  const shadowLatencyMs = latency(rand, 22);
  const secondaryStatus = hasSecondary ? 200 : null;
  const risk = counting.length === 0 ? null : counting.some((d) => d.risk === 'high') ? 'high' : counting.some((d) => d.risk === 'medium') ? 'medium' : 'low';
  const outcome: ExchangeOutcome = {
    ...base,
    outcome: counting.length > 0 ? 'mismatch' : 'match',
    skipReason: null,
    shadowFailed,
    shadowStatus,
    shadowLatencyMs,
    risk,
    hasSecondary,
    secondaryStatus,
    differences: [...shadowDiffs, ...secondaryDiffs],
  };
  if (risk !== null) {
    outcome.evidence = {
      request: { method: e.method, url, headers: { accept: 'application/json', 'user-agent': 'shadow-diff-bench' }, body: null, bodyEncoding: 'utf8', bodySize: 0, bodyTruncated: false },
      primary: { ...response(200, PRIMARY_BODY, primaryLatencyMs), status: 200, latencyMs: primaryLatencyMs },
      shadow: response(shadowStatus, shadowFailed ? '{"error":"unavailable"}' : SHADOW_BODY, shadowLatencyMs),
      secondary: hasSecondary ? response(200, PRIMARY_BODY, latency(rand, 20)) : null,
      risk,
    };
  }
  return outcome;
}

/** `count` outcomes in receive-time order, in batches of `batch` (the comparator's batch writer's size). */
export function* outcomeBatches(o: OutcomeStreamOptions, batch: number): Generator<ExchangeOutcome[]> {
  const rand = prng(o.seed);
  for (let i = 0; i < o.count; ) {
    const n = Math.min(batch, o.count - i);
    const rows: ExchangeOutcome[] = new Array(n);
    for (let k = 0; k < n; k++) rows[k] = outcomeAt(o, i + k, rand);
    i += n;
    yield rows;
  }
}
