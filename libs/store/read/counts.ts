/** Per-endpoint counts of a run over a window, summed from the rollups (one row per endpoint and bucket). */
import { sql } from 'drizzle-orm';
import { num, type Db } from '../db.js';
import type { SkippedByReason, TimeWindow } from './types.js';
import { inSpans, inWindow } from './window.js';

export interface EndpointCounts {
  endpoint: string;
  compared: number;
  skipped: number;
  shadowErrors: number;
  withSecondary: number;
  /** Compared exchanges with a counting shadow difference, before noise. */
  differing: number;
  firstAt: number;
  lastAt: number;
}

export async function endpointCounts(db: Db, run: string, window: TimeWindow | undefined): Promise<EndpointCounts[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    select endpoint, sum(compared) as compared, sum(skipped) as skipped, sum(shadow_errors) as shadow_errors,
      sum(with_secondary) as with_secondary, sum(differing) as differing, min(first_at) as first_at, max(last_at) as last_at
    from rollups where ${inSpans(run, window)}
    group by endpoint`);
  return rows.map((r) => ({
    endpoint: String(r.endpoint),
    compared: num(r.compared),
    skipped: num(r.skipped),
    shadowErrors: num(r.shadow_errors),
    withSecondary: num(r.with_secondary),
    differing: num(r.differing),
    firstAt: num(r.first_at),
    lastAt: num(r.last_at),
  }));
}

/** Skipped exchanges by endpoint and reason. */
export async function skipCounts(db: Db, run: string, window: TimeWindow | undefined): Promise<Map<string, SkippedByReason>> {
  const rows = await db.all<{ endpoint: string; reason: string; n: unknown }>(sql`
    select endpoint, reason, sum(count) as n from skip_rollups where ${inSpans(run, window)}
    group by endpoint, reason`);
  const out = new Map<string, SkippedByReason>();
  for (const r of rows) {
    const reasons = out.get(r.endpoint) ?? {};
    reasons[r.reason] = num(r.n);
    out.set(r.endpoint, reasons);
  }
  return out;
}

/** Pairs lost before the queue; the window selects whole buckets of their report time, as for the rollups. */
export async function droppedCount(db: Db, run: string, window: TimeWindow | undefined): Promise<number> {
  const [row] = await db.all<{ n: unknown }>(sql`
    select coalesce(sum(count), 0) as n from drops where run = ${run}${inWindow(sql`reported_at`, window)}`);
  return num(row?.n);
}

export const mergeReasons = (into: SkippedByReason, from: SkippedByReason): SkippedByReason => {
  for (const [reason, n] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + n;
  return into;
};
