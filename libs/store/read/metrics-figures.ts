/**
 * Light per-endpoint figures of a run, for the gate (over its window) and /metrics (over the whole
 * run): the rollups' counts before noise (they only grow, so Prometheus counters built on them never
 * go down) and the mismatches after the window's noise (which can go down when a field turns out to
 * be noise: gauges). No latency, fields or rules.
 */
import { sql } from 'drizzle-orm';
import { num } from '../db.js';
import type { Store } from '../open-store.js';
import { endpointCounts, skipCounts } from './counts.js';
import { windowNoise } from './noise-fields.js';
import { mismatchesOf, signatureCounts } from './signatures.js';
import { rate, type ReportOptions, type SkippedByReason } from './types.js';

export interface EndpointFigures {
  endpoint: string;
  compared: number;
  /** Compared with a counting shadow difference, before noise. */
  differing: number;
  /** After noise. */
  mismatched: number;
  mismatchRate: number;
  shadowErrors: number;
  skippedByReason: SkippedByReason;
}

export interface RunFigures {
  run: string;
  endpoints: EndpointFigures[];
  dropped: number;
  compared: number;
  mismatched: number;
  /** mismatched / compared after noise. */
  mismatchRate: number;
}

/** `dropped` is left 0: metricsFigures fills it for every run in one query. */
export async function runFigures(store: Store, run: string, opts: ReportOptions = {}): Promise<RunFigures> {
  const { window } = opts;
  const [counts, skips, signatures] = await Promise.all([endpointCounts(store.db, run, window), skipCounts(store.db, run, window), signatureCounts(store.db, run, window)]);
  const { noise } = await windowNoise(store.db, run, { ...opts, withSecondary: new Map(counts.map((c) => [c.endpoint, c.withSecondary])) });
  const mismatches = mismatchesOf(signatures, noise);
  const endpoints = counts.map((c) => {
    const mismatched = mismatches.get(c.endpoint)?.mismatched ?? 0;
    return {
      endpoint: c.endpoint,
      compared: c.compared,
      differing: c.differing,
      mismatched,
      mismatchRate: rate(mismatched, c.compared),
      shadowErrors: c.shadowErrors,
      skippedByReason: skips.get(c.endpoint) ?? {},
    };
  });
  const compared = endpoints.reduce((a, e) => a + e.compared, 0);
  const mismatched = endpoints.reduce((a, e) => a + e.mismatched, 0);
  return { run, endpoints, dropped: 0, compared, mismatched, mismatchRate: rate(mismatched, compared) };
}

/** Every run with rollups or drops, over the whole run (no window: counters). */
export async function metricsFigures(store: Store, opts: ReportOptions = {}): Promise<RunFigures[]> {
  const [runs, drops] = await Promise.all([
    store.db.all<{ run: string }>(sql`select name as run from runs`),
    store.db.all<{ run: string; n: unknown }>(sql`select run, sum(count) as n from drops group by run`),
  ]);
  const dropped = new Map(drops.map((d) => [d.run, num(d.n)]));
  const names = [...new Set([...runs.map((r) => r.run), ...dropped.keys()])].sort();
  const noWindow = { noise: opts.noise };
  return Promise.all(names.map(async (run) => ({ ...(await runFigures(store, run, noWindow)), dropped: dropped.get(run) ?? 0 })));
}
