/** The one window rule of the read side: whole minute buckets (buckets.ts), as SQL conditions. */
import { sql, type SQL } from 'drizzle-orm';
import { bucketWindow, SPAN, spanRanges } from '../buckets.js';
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
 * The rows of a rollup table (columns `span`, `bucket`) that cover a window exactly: whole days, hours
 * at its edges, minutes at the very edges; the run's totals without a window. A week costs a few
 * hundred rows per endpoint, not one per minute.
 */
export function inSpans(window: TimeWindow | undefined): SQL {
  const ranges = spanRanges(window);
  if (ranges === null) return sql` and span = ${SPAN.total}`;
  const parts = ranges.map((r) => sql`(span = ${r.span} and bucket >= ${r.from} and bucket < ${r.to})`);
  return sql` and (${sql.join(parts, sql` or `)})`;
}
