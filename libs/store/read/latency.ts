/** Latency percentiles per endpoint and side, from the histogram rollups (latency-bins.ts). */
import { sql } from 'drizzle-orm';
import { num, type Db } from '../db.js';
import { percentileOf } from '../latency-bins.js';
import type { LatencyPercentiles, TimeWindow } from './types.js';
import { inSpans } from './window.js';

export type Side = 'primary' | 'shadow';

export const NO_LATENCY: LatencyPercentiles = Object.freeze({ p50: null, p95: null, p99: null });

/** Keyed by `side endpoint`. */
export async function latencyPercentiles(db: Db, run: string, window: TimeWindow | undefined): Promise<Map<string, LatencyPercentiles>> {
  const rows = await db.all<{ endpoint: string; side: string; bin: unknown; n: unknown }>(sql`
    select endpoint, side, bin, sum(count) as n from latency_rollups where ${inSpans(run, window)}
    group by endpoint, side, bin`);
  const histograms = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const key = latencyKey(r.side as Side, r.endpoint);
    const h = histograms.get(key) ?? new Map<number, number>();
    h.set(num(r.bin), num(r.n));
    histograms.set(key, h);
  }
  const out = new Map<string, LatencyPercentiles>();
  for (const [key, h] of histograms) out.set(key, { p50: percentileOf(h, 0.5), p95: percentileOf(h, 0.95), p99: percentileOf(h, 0.99) });
  return out;
}

export const latencyKey = (side: Side, endpoint: string) => `${side} ${endpoint}`;
