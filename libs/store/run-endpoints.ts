/**
 * The endpoints a run already has, read from the outcome rows. The recursive query jumps from one
 * endpoint to the next through the (run, endpoint) index, so it costs one index seek per endpoint,
 * not one row per exchange.
 */
import type { Store } from './open-store.js';

/** Where templates past the per-run endpoint cap are counted (--max-endpoints). No method: it holds every method. */
export const OTHER_ENDPOINT = 'OTHER';
/** Where a pair counts when its payload is too broken to name its endpoint (comparator_error). */
export const UNKNOWN_ENDPOINT = 'UNKNOWN';

export function runEndpoints(store: Store, run: string): string[] {
  const rows = store.sqlite
    .prepare(
      `with recursive e(endpoint) as (
         select min(endpoint) from exchanges where run = @run
         union all
         select (select min(endpoint) from exchanges where run = @run and endpoint > e.endpoint) from e where e.endpoint is not null
       )
       select endpoint from e where endpoint is not null`,
    )
    .all({ run }) as { endpoint: string }[];
  return rows.map((r) => r.endpoint);
}

export function runHasEndpoint(store: Store, run: string, endpoint: string): boolean {
  return store.sqlite.prepare('select 1 from exchanges where run = ? and endpoint = ? limit 1').get(run, endpoint) !== undefined;
}
