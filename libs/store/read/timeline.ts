/**
 * A run's (or one endpoint's) figures over time: the window cut into at most MAX_POINTS points
 * (timeline-points.ts), each summed from the rollups in SQL (a few rows per point and endpoint).
 * Noise is decided once over the whole window, as the summary does, and a point's mismatched are
 * its exchanges whose signature holds a field that is not noise: the points add up to the summary
 * of the same window. Empty points are present, with zeros (and null latency).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Timeline, TimelinePoint } from '../../api/trend-schemas.js';
import { BUCKET_MS, bucketOf, bucketWindow, SPAN, type Span } from '../buckets.js';
import { num, type Db } from '../db.js';
import { percentileOf } from '../latency-bins.js';
import type { Store } from '../open-store.js';
import { effectiveRisk } from '../signature.js';
import { windowNoise } from './noise-fields.js';
import { signatureCounts } from './signatures.js';
import { pointStarts, pointWidth, spanFor } from './timeline-points.js';
import { rate, type ReportOptions, type TimeWindow } from './types.js';
import { inSpans } from './window.js';

export type { Timeline, TimelinePoint } from '../../api/trend-schemas.js';

interface Grouping {
  run: string;
  endpoint: string | undefined;
  window: TimeWindow;
  width: number;
  span: Span;
}

/** The point a row falls in; the width is a computed integer, inlined so both dialects group on one expression. */
const pointOf = (width: number) => sql.raw(`(bucket - (bucket % ${Math.trunc(width)}))`);
const where = (g: Grouping): SQL => sql`${inSpans(g.run, g.window, g.span)}${g.endpoint === undefined ? sql`` : sql` and endpoint = ${g.endpoint}`}`;

/** Minute buckets of the run's first and last exchange (whole run, or one endpoint), from its totals. */
async function runExtent(db: Db, run: string): Promise<{ first: number; last: number } | null> {
  const [row] = await db.all<{ first_at: unknown; last_at: unknown }>(sql`
    select min(first_at) as first_at, max(last_at) as last_at from rollups where run = ${run} and span = ${SPAN.total} and bucket = 0`);
  if (row?.first_at === null || row?.first_at === undefined) return null;
  return { first: bucketOf(num(row.first_at)), last: bucketOf(num(row.last_at)) };
}

/** The window the points cover: the one asked, its open ends closed by the run's first and last minute. */
async function coveredWindow(db: Db, run: string, asked: TimeWindow | undefined): Promise<{ since: number; until: number } | null> {
  const w = bucketWindow(asked);
  if (w.since !== undefined && w.until !== undefined) return { since: w.since, until: w.until };
  const extent = await runExtent(db, run);
  if (!extent) return null;
  const since = w.since ?? extent.first;
  const until = w.until ?? Math.max(extent.last + BUCKET_MS, since + BUCKET_MS);
  return since < until ? { since, until } : null;
}

async function countsByPoint(db: Db, g: Grouping) {
  const rows = await db.all<Record<string, unknown>>(sql`
    select ${pointOf(g.width)} as p, sum(compared) as compared, sum(skipped) as skipped, sum(shadow_errors) as shadow_errors, sum(differing) as differing
    from rollups where ${where(g)} group by p`);
  return new Map(rows.map((r) => [num(r.p), { compared: num(r.compared), skipped: num(r.skipped), shadowErrors: num(r.shadow_errors), differing: num(r.differing) }]));
}

/**
 * Exchanges per point whose signature holds noise only, judged by the window's noise: a point's
 * mismatched are its differing exchanges (rollups.differing, one per signature counted) less these.
 * Only the rows of those few signatures are summed; none at all when no signature is noise only.
 */
async function noiseOnlyByPoint(db: Db, g: Grouping, noise: ReadonlyMap<string, ReadonlySet<string>>): Promise<Map<number, number>> {
  const signatures = await signatureCounts(db, g.run, g.window, g.endpoint);
  const noiseOnly = signatures.filter((s) => effectiveRisk(s.fields, noise.get(s.endpoint) ?? new Set()) === null);
  const out = new Map<number, number>();
  if (noiseOnly.length === 0) return out;
  const pairs = sql.join(noiseOnly.map((s) => sql`(${s.endpoint}, ${s.signature})`), sql`, `);
  const rows = await db.all<{ p: unknown; n: unknown }>(sql`
    select ${pointOf(g.width)} as p, sum(count) as n from signature_rollups
    where ${where(g)} and (endpoint, signature) in (values ${pairs}) group by p`);
  for (const r of rows) out.set(num(r.p), num(r.n));
  return out;
}

/**
 * p99 per point and side, over the point's merged histogram: one endpoint's bins, or the run's
 * (run_latency_rollups, all endpoints merged as they were written), so a point reads a row per bin.
 */
async function p99ByPoint(db: Db, g: Grouping) {
  const table = g.endpoint === undefined ? sql`run_latency_rollups` : sql`latency_rollups`;
  const rows = await db.all<{ side: string; p: unknown; bin: unknown; n: unknown }>(sql`
    select side, ${pointOf(g.width)} as p, bin, sum(count) as n from ${table} where ${where(g)} group by side, p, bin`);
  const histograms = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const key = `${r.side} ${num(r.p)}`;
    const h = histograms.get(key) ?? new Map<number, number>();
    h.set(num(r.bin), num(r.n));
    histograms.set(key, h);
  }
  return (side: string, point: number) => {
    const h = histograms.get(`${side} ${point}`);
    return h ? percentileOf(h, 0.99) : null;
  };
}

export async function timeline(store: Store, run: string, opts: ReportOptions & { endpoint?: string | undefined } = {}): Promise<Timeline> {
  const { db } = store;
  const endpoint = opts.endpoint;
  const covered = await coveredWindow(db, run, opts.window);
  if (!covered) return { run, endpoint: endpoint ?? null, bucketSeconds: BUCKET_MS / 1000, points: [] };
  const width = pointWidth(covered.since, covered.until);
  const g: Grouping = { run, endpoint, window: covered, width, span: spanFor(width) };
  // Noise over the window as asked (no window: the run's totals), exactly as the summary decides it.
  const { noise } = await windowNoise(db, run, { window: opts.window, noise: opts.noise, endpoint });
  const [counts, noiseOnly, p99] = await Promise.all([countsByPoint(db, g), noiseOnlyByPoint(db, g, noise), p99ByPoint(db, g)]);
  const points = pointStarts(covered.since, covered.until, width).map((t): TimelinePoint => {
    const c = counts.get(t) ?? { compared: 0, skipped: 0, shadowErrors: 0, differing: 0 };
    const m = c.differing - (noiseOnly.get(t) ?? 0);
    return {
      t: new Date(t).toISOString(),
      compared: c.compared,
      mismatched: m,
      mismatchRate: rate(m, c.compared),
      shadowErrors: c.shadowErrors,
      skipped: c.skipped,
      primaryP99Ms: p99('primary', t),
      shadowP99Ms: p99('shadow', t),
    };
  });
  return { run, endpoint: endpoint ?? null, bucketSeconds: width / 1000, points };
}
