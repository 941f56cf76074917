/** Every run that has rollups, newest activity first, with its totals after noise (whole run, no window). */
import { sql } from 'drizzle-orm';
import { SPAN } from '../buckets.js';
import { num } from '../db.js';
import type { Store } from '../open-store.js';
import { summary } from './summary.js';
import type { ReportOptions, RunListItem } from './types.js';

export async function listRuns(store: Store, opts: ReportOptions = {}): Promise<RunListItem[]> {
  const rows = await store.db.all<{ run: string; kind: string | null; first_at: unknown; last_at: unknown }>(sql`
    select r.run, r.kind, r.first_at, r.last_at from (
      select name as run, kind,
        (select min(first_at) from rollups t where t.run = runs.name and t.span = ${SPAN.total} and t.bucket = 0) as first_at,
        (select max(last_at) from rollups t where t.run = runs.name and t.span = ${SPAN.total} and t.bucket = 0) as last_at
      from runs) r
    where r.first_at is not null
    order by r.last_at desc, r.run`);
  return Promise.all(
    rows.map(async (r) => {
      const s = await summary(store, r.run, { noise: opts.noise, maxEndpoints: opts.maxEndpoints });
      return {
        run: r.run,
        kind: r.kind === 'replay' ? 'replay' : 'live',
        compared: s.compared,
        mismatched: s.mismatched,
        mismatchRate: s.mismatchRate,
        firstSeenAt: new Date(num(r.first_at)).toISOString(),
        lastSeenAt: new Date(num(r.last_at)).toISOString(),
      } satisfies RunListItem;
    }),
  );
}
