/** Read side of the store: everything the report API shows is derived here from the outcome rows. */
import { defaultValue } from '../config/load-config.js';
import { and, desc, eq, gte, inArray, lt, not, or, sql, type SQL } from 'drizzle-orm';
import { DEFAULT_NOISE_THRESHOLDS, isNoise, type NoiseThresholds } from './noise.js';
import type { Store } from './open-store.js';
import type { DiscrepancyEvidence, StoredResponse } from './record-exchange.js';
import { OTHER_ENDPOINT, runHasEndpoint } from './run-endpoints.js';
import { differences, discrepancies, drops, exchanges, ruleHits, runs } from './schema/index.js';

/** Skipped exchanges by reason, e.g. `{ comparator_error: 2 }`. */
export type SkippedByReason = Record<string, number>;

/** The per-run endpoint cap (--max-endpoints) and whether templates were folded into OTHER. */
export interface EndpointCapStatus {
  max: number;
  reached: boolean;
}

export interface RunSummary {
  run: string;
  compared: number;
  matched: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  shadowErrors: number;
  dropped: number;
  skippedByReason: SkippedByReason;
  endpointCap: EndpointCapStatus;
}

export interface FieldStats {
  /** Aggregated path, e.g. `$.items[*].price`. */
  path: string;
  /** Exchanges that count as mismatched because of this field (noise aside). */
  mismatches: number;
  /** Exchanges whose shadow differed here, noise included. */
  shadowDiffs: number;
  /** Exchanges whose secondary differed here (noise measured by A/A). */
  secondaryDiffs: number;
  noise: boolean;
}

export interface EndpointStats {
  endpoint: string;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  skippedByReason: SkippedByReason;
  shadowErrors: number;
  /** Exchanges compared against a secondary too. */
  comparedWithSecondary: number;
  byRisk: { high: number; medium: number; low: number };
  /** Milliseconds to the last byte, over the compared exchanges (nearest-rank percentiles). */
  latency: { primary: LatencyPercentiles; shadow: LatencyPercentiles };
  fields: FieldStats[];
  /** Every rule that applied to the endpoint; `hits: 0` is a dead rule. */
  rules: { rule: string; evaluated: number; hits: number }[];
}

/** A time window on when the ingress received the exchanges (epoch ms): since inclusive, until exclusive. */
export interface TimeWindow {
  since?: number | undefined;
  until?: number | undefined;
}

export interface ReportOptions {
  noise?: NoiseThresholds;
  window?: TimeWindow;
  /** The comparators' --max-endpoints, for the cap status (the option table's default when absent). */
  maxEndpoints?: number | undefined;
}

type TimedColumn = typeof exchanges.receivedAt | typeof differences.receivedAt | typeof discrepancies.receivedAt | typeof drops.reportedAt;

function inWindow(column: TimedColumn, window: TimeWindow | undefined): SQL[] {
  const out: SQL[] = [];
  if (window?.since !== undefined) out.push(gte(column, window.since));
  if (window?.until !== undefined) out.push(lt(column, window.until));
  return out;
}

export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface DiscrepancyListItem {
  id: string;
  run: string;
  endpoint: string;
  method: string;
  url: string;
  primaryStatus: number;
  shadowStatus: number | null;
  paths: string[];
  risk: string;
  createdAt: string;
}

export interface DiscrepancyDetail {
  id: string;
  run: string;
  endpoint: string;
  risk: string;
  createdAt: string;
  request: DiscrepancyEvidence['request'];
  primary: DiscrepancyEvidence['primary'];
  shadow: StoredResponse;
  secondary: StoredResponse | null;
  /** Primary vs shadow; `noise` when the secondary differed the same way or the field is a noise field. */
  differences: { path: string; field: string; kind: string; risk: string; primary: unknown; shadow: unknown; noise: boolean; detail?: string }[];
  /** Primary vs secondary: what the same version varies on by itself. */
  secondaryDifferences: { path: string; field: string; kind: string; risk: string; primary: unknown; secondary: unknown; detail?: string }[];
  /** Shadow differences found; more than `differences` holds when the list was capped. */
  differencesTotal: number;
  secondaryDifferencesTotal: number;
  /** True when either list holds only the first differences (by risk, then path). */
  differencesTruncated: boolean;
}

export const rate = (mismatched: number, compared: number): number => (compared === 0 ? 0 : mismatched / compared);

export function summary(store: Store, run: string, opts: ReportOptions = {}): RunSummary {
  const endpoints = endpointStats(store, run, opts);
  const total = (k: 'compared' | 'mismatched' | 'skipped' | 'shadowErrors') => endpoints.reduce((a, e) => a + e[k], 0);
  const compared = total('compared');
  const mismatched = total('mismatched');
  const dropped =
    store.db
      .select({ n: sql<number>`coalesce(sum(${drops.count}), 0)` })
      .from(drops)
      .where(and(eq(drops.run, run), ...inWindow(drops.reportedAt, opts.window)))
      .get()?.n ?? 0;
  const skippedByReason: SkippedByReason = {};
  for (const e of endpoints) for (const [reason, n] of Object.entries(e.skippedByReason)) skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
  return {
    run,
    compared,
    matched: compared - mismatched,
    mismatched,
    mismatchRate: rate(mismatched, compared),
    skipped: total('skipped'),
    shadowErrors: total('shadowErrors'),
    dropped,
    skippedByReason,
    endpointCap: endpointCapStatus(store, run, opts),
  };
}

/** Reached once a template was counted under OTHER, whatever the time window: one index seek. */
export function endpointCapStatus(store: Store, run: string, opts: ReportOptions = {}): EndpointCapStatus {
  return { max: opts.maxEndpoints ?? (defaultValue('maxEndpoints') as number), reached: runHasEndpoint(store, run, OTHER_ENDPOINT) };
}

function skippedReasons(store: Store, run: string, window: TimeWindow | undefined): Map<string, SkippedByReason> {
  const rows = store.db
    .select({ endpoint: exchanges.endpoint, reason: exchanges.skipReason, n: sql<number>`count(*)` })
    .from(exchanges)
    .where(and(eq(exchanges.run, run), eq(exchanges.outcome, 'skipped'), ...inWindow(exchanges.receivedAt, window)))
    .groupBy(exchanges.endpoint, exchanges.skipReason)
    .all();
  const out = new Map<string, SkippedByReason>();
  for (const r of rows) {
    const reasons = out.get(r.endpoint) ?? {};
    reasons[r.reason ?? 'unknown'] = r.n;
    out.set(r.endpoint, reasons);
  }
  return out;
}

/** Noise fields per endpoint of a run (only endpoints compared against a secondary have any). */
export function noiseFields(store: Store, run: string, opts: ReportOptions = {}): Map<string, Set<string>> {
  const stats = endpointStats(store, run, opts);
  return new Map(stats.map((e) => [e.endpoint, new Set(e.fields.filter((f) => f.noise).map((f) => f.path))] as const).filter(([, f]) => f.size > 0));
}

/** A shadow difference that counts: not cancelled by the secondary on its request, not in a noise field. */
function countingDifference(noise: Map<string, Set<string>>): SQL {
  const base = and(eq(differences.side, 'shadow'), eq(differences.cancelled, false)) as SQL;
  const noisy = [...noise].map(([endpoint, fields]) => and(eq(differences.endpoint, endpoint), inArray(differences.field, [...fields])) as SQL);
  return noisy.length === 0 ? base : (and(base, not(or(...noisy) as SQL)) as SQL);
}

const RISK_RANK = sql<number>`max(case ${differences.risk} when 'high' then 3 when 'medium' then 2 else 1 end)`;

export function endpointStats(store: Store, run: string, opts: ReportOptions = {}): EndpointStats[] {
  const thresholds = opts.noise ?? DEFAULT_NOISE_THRESHOLDS;
  const counts = store.db
    .select({
      endpoint: exchanges.endpoint,
      compared: sql<number>`sum(case when ${exchanges.outcome} <> 'skipped' then 1 else 0 end)`,
      skipped: sql<number>`sum(case when ${exchanges.outcome} = 'skipped' then 1 else 0 end)`,
      shadowErrors: sql<number>`sum(case when ${exchanges.outcome} <> 'skipped' and ${exchanges.shadowFailed} then 1 else 0 end)`,
      withSecondary: sql<number>`sum(case when ${exchanges.outcome} <> 'skipped' and ${exchanges.hasSecondary} then 1 else 0 end)`,
    })
    .from(exchanges)
    .where(and(eq(exchanges.run, run), ...inWindow(exchanges.receivedAt, opts.window)))
    .groupBy(exchanges.endpoint)
    .all();
  const fieldRows = store.db
    .select({
      endpoint: differences.endpoint,
      field: differences.field,
      shadowDiffs: sql<number>`count(distinct case when ${differences.side} = 'shadow' then ${differences.exchangeId} end)`,
      counting: sql<number>`count(distinct case when ${differences.side} = 'shadow' and not ${differences.cancelled} then ${differences.exchangeId} end)`,
      secondaryDiffs: sql<number>`count(distinct case when ${differences.side} = 'secondary' then ${differences.exchangeId} end)`,
    })
    .from(differences)
    .where(and(eq(differences.run, run), ...inWindow(differences.receivedAt, opts.window)))
    .groupBy(differences.endpoint, differences.field)
    .all();
  const withSecondary = new Map(counts.map((c) => [c.endpoint, c.withSecondary]));
  const fieldsByEndpoint = new Map<string, FieldStats[]>();
  const noise = new Map<string, Set<string>>();
  for (const r of fieldRows) {
    const isNoiseField = isNoise(r.shadowDiffs, r.secondaryDiffs, withSecondary.get(r.endpoint) ?? 0, thresholds);
    const list = fieldsByEndpoint.get(r.endpoint) ?? [];
    list.push({ path: r.field, mismatches: isNoiseField ? 0 : r.counting, shadowDiffs: r.shadowDiffs, secondaryDiffs: r.secondaryDiffs, noise: isNoiseField });
    fieldsByEndpoint.set(r.endpoint, list);
    if (isNoiseField) noise.set(r.endpoint, (noise.get(r.endpoint) ?? new Set()).add(r.field));
  }
  // Mismatched exchanges and their risk, from the differences that count.
  const perExchange = store.db
    .select({ endpoint: differences.endpoint, exchangeId: differences.exchangeId, rank: RISK_RANK.as('rank') })
    .from(differences)
    .where(and(eq(differences.run, run), ...inWindow(differences.receivedAt, opts.window), countingDifference(noise)))
    .groupBy(differences.exchangeId)
    .as('per_exchange');
  const riskRows = store.db
    .select({ endpoint: perExchange.endpoint, rank: perExchange.rank, n: sql<number>`count(*)` })
    .from(perExchange)
    .groupBy(perExchange.endpoint, sql`${perExchange.rank}`)
    .all();
  const rules = store.db.select().from(ruleHits).where(eq(ruleHits.run, run)).all();
  const latency = latencyPercentiles(store, run, opts.window);
  const skipReasons = skippedReasons(store, run, opts.window);
  const none: LatencyPercentiles = { p50: null, p95: null, p99: null };
  return counts
    .map((c) => {
      const byRisk = { high: 0, medium: 0, low: 0 };
      for (const r of riskRows.filter((x) => x.endpoint === c.endpoint)) byRisk[r.rank === 3 ? 'high' : r.rank === 2 ? 'medium' : 'low'] += r.n;
      const mismatched = byRisk.high + byRisk.medium + byRisk.low;
      return {
        endpoint: c.endpoint,
        compared: c.compared,
        mismatched,
        mismatchRate: rate(mismatched, c.compared),
        skipped: c.skipped,
        skippedByReason: skipReasons.get(c.endpoint) ?? {},
        shadowErrors: c.shadowErrors,
        comparedWithSecondary: c.withSecondary,
        byRisk,
        latency: { primary: latency.primary.get(c.endpoint) ?? none, shadow: latency.shadow.get(c.endpoint) ?? none },
        fields: (fieldsByEndpoint.get(c.endpoint) ?? []).sort(
          (a, b) => Number(a.noise) - Number(b.noise) || b.mismatches - a.mismatches || b.shadowDiffs - a.shadowDiffs || a.path.localeCompare(b.path),
        ),
        rules: rules
          .filter((r) => r.endpoint === c.endpoint)
          .map((r) => ({ rule: r.rule, evaluated: r.evaluated, hits: r.hits }))
          .sort((a, b) => a.hits - b.hits || a.rule.localeCompare(b.rule)),
      };
    })
    .sort((a, b) => b.mismatchRate - a.mismatchRate || b.compared - a.compared || a.endpoint.localeCompare(b.endpoint));
}

function latencyPercentiles(store: Store, run: string, window: TimeWindow | undefined) {
  const bounds = [window?.since ?? 0, window?.until ?? Number.MAX_SAFE_INTEGER];
  const query = (column: 'primary_latency_ms' | 'shadow_latency_ms') =>
    store.sqlite
      .prepare(
        `with ranked as (
           select endpoint, v, row_number() over (partition by endpoint order by v) as rn, count(*) over (partition by endpoint) as n
           from (select endpoint, ${column} as v from exchanges
                 where run = ? and outcome <> 'skipped' and ${column} is not null and received_at >= ? and received_at < ?)
         )
         select endpoint,
           min(case when rn >= n * 0.50 then v end) as p50,
           min(case when rn >= n * 0.95 then v end) as p95,
           min(case when rn >= n * 0.99 then v end) as p99
         from ranked group by endpoint`,
      )
      .all(run, ...bounds) as ({ endpoint: string } & LatencyPercentiles)[];
  const toMap = (rows: ({ endpoint: string } & LatencyPercentiles)[]) =>
    new Map(rows.map(({ endpoint, p50, p95, p99 }) => [endpoint, { p50, p95, p99 }]));
  return { primary: toMap(query('primary_latency_ms')), shadow: toMap(query('shadow_latency_ms')) };
}

export interface RunListItem {
  run: string;
  kind: 'live' | 'replay';
  compared: number;
  mismatched: number;
  mismatchRate: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export function listRuns(store: Store, opts: ReportOptions = {}): RunListItem[] {
  const rows = store.db
    .select({
      run: exchanges.run,
      kind: sql<string | null>`(select ${runs.kind} from ${runs} where ${runs.name} = ${exchanges.run})`,
      first: sql<number>`min(${exchanges.receivedAt})`,
      last: sql<number>`max(${exchanges.receivedAt})`,
    })
    .from(exchanges)
    .groupBy(exchanges.run)
    .orderBy(desc(sql`max(${exchanges.receivedAt})`))
    .all();
  return rows.map((r) => {
    const s = summary(store, r.run, { noise: opts.noise });
    return {
      run: r.run,
      kind: r.kind === 'replay' ? 'replay' : 'live',
      compared: s.compared,
      mismatched: s.mismatched,
      mismatchRate: s.mismatchRate,
      firstSeenAt: new Date(r.first).toISOString(),
      lastSeenAt: new Date(r.last).toISOString(),
    };
  });
}

/** Keyset pagination on (createdAt, id), newest first: new discrepancies never shift a page. */
export interface DiscrepancyCursor {
  createdAt: number;
  id: string;
}

export function encodeCursor(c: DiscrepancyCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodeCursor(raw: string): DiscrepancyCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === 'string') {
      return { createdAt: v[0] as number, id: v[1] };
    }
  } catch {
    // fall through
  }
  return null;
}

export function listDiscrepancies(
  store: Store,
  q: { run: string; endpoint?: string | undefined; limit: number; cursor?: DiscrepancyCursor | null | undefined },
  opts: ReportOptions = {},
): { items: DiscrepancyListItem[]; nextCursor: string | null } {
  const conditions: SQL[] = [eq(discrepancies.run, q.run), ...inWindow(discrepancies.receivedAt, opts.window)];
  if (q.endpoint) conditions.push(eq(discrepancies.endpoint, q.endpoint));
  if (q.cursor) {
    conditions.push(
      or(
        lt(discrepancies.createdAt, q.cursor.createdAt),
        and(eq(discrepancies.createdAt, q.cursor.createdAt), lt(discrepancies.id, q.cursor.id)),
      ) as SQL,
    );
  }
  // A discrepancy whose every difference turned out to be noise is no longer one.
  const noise = noiseFields(store, q.run, opts);
  if (noise.size > 0) {
    conditions.push(
      sql`exists (select 1 from ${differences} where ${differences.exchangeId} = ${discrepancies.id} and ${countingDifference(noise)})`,
    );
  }
  const rows = store.db
    .select({
      id: discrepancies.id,
      run: discrepancies.run,
      endpoint: discrepancies.endpoint,
      method: discrepancies.method,
      url: discrepancies.url,
      primaryStatus: discrepancies.primaryStatus,
      shadowStatus: discrepancies.shadowStatus,
      paths: discrepancies.paths,
      risk: discrepancies.risk,
      createdAt: discrepancies.createdAt,
    })
    .from(discrepancies)
    .where(and(...conditions))
    .orderBy(desc(discrepancies.createdAt), desc(discrepancies.id))
    .limit(q.limit + 1)
    .all();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ ...r, paths: r.paths as string[], createdAt: new Date(r.createdAt).toISOString() })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

function decodeValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function getDiscrepancy(store: Store, id: string, opts: ReportOptions = {}): DiscrepancyDetail | null {
  const row = store.db.select().from(discrepancies).where(eq(discrepancies.id, id)).get();
  if (!row) return null;
  const noisy = noiseFields(store, row.run, opts).get(row.endpoint) ?? new Set<string>();
  const diffs = store.db.select().from(differences).where(eq(differences.exchangeId, id)).orderBy(differences.seq).all();
  const view = (side: 'shadow' | 'secondary') =>
    diffs
      .filter((d) => d.side === side)
      .map((d) => ({
        path: d.path,
        field: d.field,
        kind: d.kind,
        risk: d.risk,
        primary: decodeValue(d.primaryValue),
        [side]: decodeValue(d.otherValue),
        ...(side === 'shadow' ? { noise: d.cancelled || noisy.has(d.field) } : {}),
        ...(d.detail ? { detail: d.detail } : {}),
      }));
  const { secondary, ...shadow } = row.shadow as StoredResponse & { secondary: StoredResponse | null };
  const shadowDiffs = view('shadow') as DiscrepancyDetail['differences'];
  const secondaryDiffs = view('secondary') as DiscrepancyDetail['secondaryDifferences'];
  const differencesTotal = row.differencesTotal ?? shadowDiffs.length;
  const secondaryDifferencesTotal = row.secondaryDifferencesTotal ?? secondaryDiffs.length;
  return {
    id: row.id,
    run: row.run,
    endpoint: row.endpoint,
    risk: row.risk,
    createdAt: new Date(row.createdAt).toISOString(),
    request: row.request as DiscrepancyEvidence['request'],
    primary: row.primary as DiscrepancyEvidence['primary'],
    shadow,
    secondary: secondary ?? null,
    differences: shadowDiffs,
    secondaryDifferences: secondaryDiffs,
    differencesTotal,
    secondaryDifferencesTotal,
    differencesTruncated: differencesTotal > shadowDiffs.length || secondaryDifferencesTotal > secondaryDiffs.length,
  };
}
