/**
 * Counts that come without an outcome: a pair the comparator could not handle (comparator_error),
 * and pairs the ingress dropped before the queue.
 */
import { sql } from 'drizzle-orm';
import type { RecordDropsPayload } from '../../exchange/contracts.js';
import { valuesList } from '../db.js';
import type { Store } from '../open-store.js';
import { LIVE_SOURCE } from '../run-claims.js';
import { addSkipped, emptyAggregate } from './aggregate.js';
import { insertIds } from './record-batch.js';
import type { FailedExchange } from './types.js';
import { writeRollups } from './write-rollups.js';

/**
 * The last resort when a pair's outcome cannot be computed or stored: its id, and one skipped count
 * (`comparator_error`), so the pair is still counted. Resolves to false when the exchange was
 * already recorded.
 */
export async function recordFailedExchange(store: Store, f: FailedExchange, now = Date.now()): Promise<boolean> {
  return store.db.transaction(async (tx) => {
    if (!(await insertIds(tx, [f.id], now)).has(f.id)) return false;
    await tx.run(sql`insert into runs (name, kind, source, created_at) values (${f.run}, ${f.runKind}, ${f.runKind === 'live' ? LIVE_SOURCE : null}, ${now}) on conflict (name) do nothing`);
    const agg = emptyAggregate();
    addSkipped(agg, f, 'comparator_error');
    await writeRollups(tx, agg);
    return true;
  });
}

/** Resolves to false when this report was already counted. */
export async function recordDrops(store: Store, report: RecordDropsPayload, now = Date.now()): Promise<boolean> {
  const rows = Object.entries(report.counts)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([reason, count]) => [report.reportId, report.run, reason, count as number, now]);
  if (rows.length === 0) return false;
  const changed = await store.db.run(
    sql`insert into drops (report_id, run, reason, count, reported_at) values ${valuesList(rows)} on conflict (report_id, run, reason) do nothing`,
  );
  return changed > 0;
}
