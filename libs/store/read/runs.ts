/** Every run that has rollups, newest activity first, with its totals after noise (whole run, no window). */
import { sql } from 'drizzle-orm';
import { num } from '../db.js';
import type { Store } from '../open-store.js';
import { summary } from './summary.js';
import type { ReportOptions, RunListItem } from './types.js';

export async function listRuns(store: Store, opts: ReportOptions = {}): Promise<RunListItem[]> {
  const rows = await store.db.all<{ run: string; kind: string | null; first_at: unknown; last_at: unknown }>(sql`
    select r.run, (select kind from runs where name = r.run) as kind, r.first_at, r.last_at
    from (select run, min(first_at) as first_at, max(last_at) as last_at from rollups group by run) r
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
