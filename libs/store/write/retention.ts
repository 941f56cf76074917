/**
 * Retention, always through an index and in slices (each its own short transaction, so writers
 * wait for one slice at most): evidence of old discrepancies (--retention), captures past their
 * bound (--capture-max, --capture-max-age), exchange ids past the idempotence window, and rollups
 * older than --rollup-retention (off by default: rollups are small).
 */
import { sql } from 'drizzle-orm';
import { SPAN } from '../buckets.js';
import { num, type Db } from '../db.js';
import type { Store } from '../open-store.js';

/** Rows deleted per statement. */
const SLICE = 5000;

/**
 * How long an exchange id is remembered: a job is redelivered within minutes (the queue's lock
 * time, a comparator's restart); a redelivery older than this would count again.
 */
export const EXCHANGE_ID_WINDOW_MS = 24 * 60 * 60 * 1000;

const inList = (values: readonly unknown[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);

/** Deletes the evidence (discrepancy and its differences) of discrepancies recorded before `cutoff`. */
export async function purgeDetails(store: Store, cutoff: number): Promise<{ discrepancies: number }> {
  let removed = 0;
  for (;;) {
    const n = await store.db.transaction(async (tx) => {
      const ids = (await tx.all<{ id: string }>(sql`select id from discrepancies where created_at < ${cutoff} order by created_at limit ${SLICE}`)).map((r) => r.id);
      if (ids.length === 0) return 0;
      await tx.run(sql`delete from differences where exchange_id in (${inList(ids)})`);
      return tx.run(sql`delete from discrepancies where id in (${inList(ids)})`);
    });
    removed += n;
    if (n < SLICE) return { discrepancies: removed };
  }
}

async function deleteInSlices(db: Db, deleteSlice: () => ReturnType<Db['run']>): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = await deleteSlice();
    removed += n;
    if (n < SLICE) return removed;
  }
}

/** Capture retention: at most `max` captures, none older than `maxAgeMs`; the oldest go first. */
export async function trimCaptures(store: Store, max: number, maxAgeMs?: number, now = Date.now()): Promise<number> {
  const db = store.db;
  let removed = 0;
  if (maxAgeMs !== undefined) {
    const before = now - maxAgeMs;
    removed += await deleteInSlices(db, () => db.run(sql`delete from captures where id in (select id from captures where received_at < ${before} limit ${SLICE})`));
  }
  // Captures are bounded by --capture-max, so counting them is bounded too.
  const [row] = await db.all<{ n: unknown }>(sql`select count(*) as n from captures`);
  const excess = num(row?.n) - max;
  if (excess > 0) {
    removed += await db.run(sql`delete from captures where id in (select id from captures order by received_at asc, id asc limit ${excess})`);
  }
  return removed;
}

/** Forgets the ids of exchanges first seen before `before` (the idempotence window, EXCHANGE_ID_WINDOW_MS). */
export async function purgeExchangeIds(store: Store, before: number): Promise<number> {
  const db = store.db;
  return deleteInSlices(db, () => db.run(sql`delete from exchange_ids where id in (select id from exchange_ids where seen_at < ${before} limit ${SLICE})`));
}

/** The report id of a run's folded drop reports. */
const FOLDED_DROPS = 'folded';

const ROLLUP_TABLES = ['rollups', 'skip_rollups', 'field_rollups', 'signature_rollups', 'latency_rollups', 'run_latency_rollups', 'rule_rollups'] as const;

/**
 * Deletes rollups of buckets before `before` (minute, hour and day spans; the run's totals stay),
 * and folds drop reports older than it into one per reason (--rollup-retention): counters never go down. Every rollup table is reached through its
 * key's prefix (run, span, bucket), run by run and span by span.
 */
export async function purgeRollups(store: Store, before: number): Promise<number> {
  const db = store.db;
  let removed = 0;
  const runs = (await db.all<{ name: string }>(sql`select name from runs union select distinct run as name from drops`)).map((r) => r.name);
  for (const run of runs) {
    await db.transaction(async (tx) => {
      for (const table of ROLLUP_TABLES) {
        for (const span of [SPAN.minute, SPAN.hour, SPAN.day]) {
          removed += await tx.run(sql`delete from ${sql.identifier(table)} where run = ${run} and span = ${span} and bucket < ${before}`);
        }
      }
      // Drop reports are folded into one row per reason (reported_at 0) before they go: a window
      // after the cutoff no longer counts them, the run's total (and /metrics' counter) still does.
      await tx.run(sql`insert into drops (report_id, run, reason, count, reported_at)
        select ${FOLDED_DROPS}, run, reason, sum(count), 0 from drops where run = ${run} and reported_at > 0 and reported_at < ${before} group by run, reason
        on conflict (report_id, run, reason) do update set count = drops.count + excluded.count`);
      removed += await tx.run(sql`delete from drops where run = ${run} and reported_at > 0 and reported_at < ${before}`);
    });
  }
  return removed;
}
