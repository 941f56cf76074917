/** The one window rule of the read side: whole minute buckets (buckets.ts), as an SQL condition. */
import { sql, type SQL } from 'drizzle-orm';
import { bucketWindow } from '../buckets.js';
import type { TimeWindow } from './types.js';

/** ` and <column> >= since and <column> < until` on bucket starts; empty without a window. */
export function inWindow(column: SQL, window: TimeWindow | undefined): SQL {
  const w = bucketWindow(window);
  const parts: SQL[] = [];
  if (w.since !== undefined) parts.push(sql` and ${column} >= ${w.since}`);
  if (w.until !== undefined) parts.push(sql` and ${column} < ${w.until}`);
  return sql.join(parts);
}
