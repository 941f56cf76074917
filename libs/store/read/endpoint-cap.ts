/** Whether a run folded templates into OTHER (--max-endpoints), whatever the window: one primary-key seek. */
import { sql } from 'drizzle-orm';
import { SPAN } from '../buckets.js';
import { defaultValue } from '../../config/load-config.js';
import type { Store } from '../open-store.js';
import { OTHER_ENDPOINT } from '../run-endpoints.js';
import type { EndpointCapStatus, ReportOptions } from './types.js';

export async function endpointCapStatus(store: Store, run: string, opts: ReportOptions = {}): Promise<EndpointCapStatus> {
  const rows = await store.db.all(sql`select 1 as hit from rollups where run = ${run} and span = ${SPAN.total} and bucket = 0 and endpoint = ${OTHER_ENDPOINT} limit 1`);
  return { max: opts.maxEndpoints ?? (defaultValue('maxEndpoints') as number), reached: rows.length > 0 };
}
