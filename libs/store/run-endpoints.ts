/**
 * The endpoints a run already has, read from its rollups. The recursive query jumps from one
 * endpoint to the next among the run's totals, through the rollups' key (run, span, bucket,
 * endpoint), so it costs one index seek per endpoint, not one row per bucket.
 */
import { sql } from 'drizzle-orm';
import { SPAN } from './buckets.js';
import type { Store } from './open-store.js';

/** Where templates past the per-run endpoint cap are counted (--max-endpoints). No method: it holds every method. */
export const OTHER_ENDPOINT = 'OTHER';
/** Where a pair counts when its payload is too broken to name its endpoint (comparator_error). */
export const UNKNOWN_ENDPOINT = 'UNKNOWN';

export async function runEndpoints(store: Store, run: string): Promise<string[]> {
  const rows = await store.db.all<{ endpoint: string }>(
    sql`with recursive e(endpoint) as (
         select min(endpoint) from rollups where run = ${run} and span = ${SPAN.total} and bucket = 0
         union all
         select (select min(r.endpoint) from rollups r where r.run = ${run} and r.span = ${SPAN.total} and r.bucket = 0 and r.endpoint > e.endpoint) from e where e.endpoint is not null
       )
       select endpoint from e where endpoint is not null`,
  );
  return rows.map((r) => r.endpoint);
}

export async function runHasEndpoint(store: Store, run: string, endpoint: string): Promise<boolean> {
  return (await store.db.all(sql`select 1 as one from rollups where run = ${run} and span = ${SPAN.total} and bucket = 0 and endpoint = ${endpoint} limit 1`)).length > 0;
}
