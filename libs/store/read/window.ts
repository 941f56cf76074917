/** The one window rule of the read side: whole minute buckets (buckets.ts), as SQL conditions. */
import { sql, type SQL } from 'drizzle-orm';
import { bucketWindow, SPAN, spanRanges, type Span } from '../buckets.js';
import type { TimeWindow } from './types.js';

/** ` and <column> >= since and <column> < until` on bucket starts; empty without a window. */
export function inWindow(column: SQL, window: TimeWindow | undefined): SQL {
  const w = bucketWindow(window);
  const parts: SQL[] = [];
  if (w.since !== undefined) parts.push(sql` and ${column} >= ${w.since}`);
  if (w.until !== undefined) parts.push(sql` and ${column} < ${w.until}`);
  return sql.join(parts);
}

/**
 * The condition on a run's rows of a rollup table (columns `run`, `span`, `bucket`) that cover a window exactly: whole days, hours
 * at its edges, minutes at the very edges; the run's totals without a window. A week costs a few
 * hundred rows per endpoint, not one per minute.
 */
export function inSpans(run: string, window: TimeWindow | undefined, largest: Span = SPAN.day): SQL {
  const ranges = spanRanges(window, largest);
  if (ranges === null) return sql`run = ${run} and span = ${SPAN.total}`;
  // The run is named in each range and nowhere else: every term of the OR is then a seek on the
  // key (run, span, bucket, …), which SQLite's planner reads as one index range per term.
  const parts = ranges.map((r) => sql`(run = ${run} and span = ${r.span} and bucket >= ${r.from} and bucket < ${r.to})`);
  return sql`(${sql.join(parts, sql` or `)})`;
}
