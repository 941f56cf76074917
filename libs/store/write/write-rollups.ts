/**
 * Upserts a batch's aggregate: one multi-row INSERT … ON CONFLICT DO UPDATE per rollup table, rows
 * in key order. Counts add to what is there (`t.c + excluded.c`); first/last seen take the min/max
 * through CASE (no dialect's scalar min/max).
 */
import type { Db } from '../db.js';
import { sortedRows, type Aggregate } from './aggregate.js';

async function upsert(db: Db, head: string, rows: readonly (readonly unknown[])[], tail: string): Promise<void> {
  await db.insertMany(head, rows[0]?.length ?? 1, rows, tail);
}

const add = (table: string, ...columns: string[]) => columns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');

export async function writeRollups(db: Db, agg: Aggregate): Promise<void> {
  const rollups = sortedRows(agg.rollups).map(({ key, c }) => [...key, c.compared, c.skipped, c.shadowErrors, c.withSecondary, c.differing, c.firstAt, c.lastAt]);
  await upsert(
    db,
    `insert into rollups (run, span, bucket, endpoint, compared, skipped, shadow_errors, with_secondary, differing, first_at, last_at)`,
    rollups,
    `on conflict (run, span, bucket, endpoint) do update set ${add('rollups', 'compared', 'skipped', 'shadow_errors', 'with_secondary', 'differing')},
      first_at = case when excluded.first_at < rollups.first_at then excluded.first_at else rollups.first_at end,
      last_at = case when excluded.last_at > rollups.last_at then excluded.last_at else rollups.last_at end`,
  );
  await upsert(
    db,
    `insert into skip_rollups (run, span, bucket, endpoint, reason, count)`,
    sortedRows(agg.skips).map(({ key, n }) => [...key, n]),
    `on conflict (run, span, bucket, endpoint, reason) do update set ${add('skip_rollups', 'count')}`,
  );
  await upsert(
    db,
    `insert into field_rollups (run, span, bucket, endpoint, field, shadow_diffs, counting, secondary_diffs)`,
    sortedRows(agg.fields).map(({ key, c }) => [...key, c.shadowDiffs, c.counting, c.secondaryDiffs]),
    `on conflict (run, span, bucket, endpoint, field) do update set ${add('field_rollups', 'shadow_diffs', 'counting', 'secondary_diffs')}`,
  );
  await upsert(
    db,
    `insert into signature_rollups (run, span, bucket, endpoint, signature, count)`,
    sortedRows(agg.signatures).map(({ key, n }) => [...key, n]),
    `on conflict (run, span, bucket, endpoint, signature) do update set ${add('signature_rollups', 'count')}`,
  );
  await upsert(
    db,
    `insert into latency_rollups (run, span, bucket, endpoint, side, bin, count)`,
    sortedRows(agg.latency).map(({ key, n }) => [...key, n]),
    `on conflict (run, span, bucket, endpoint, side, bin) do update set ${add('latency_rollups', 'count')}`,
  );
  await upsert(
    db,
    `insert into run_latency_rollups (run, span, bucket, side, bin, count)`,
    sortedRows(agg.runLatency).map(({ key, n }) => [...key, n]),
    `on conflict (run, span, bucket, side, bin) do update set ${add('run_latency_rollups', 'count')}`,
  );
  await upsert(
    db,
    `insert into rule_rollups (run, span, bucket, endpoint, rule, evaluated, hits)`,
    sortedRows(agg.rules).map(({ key, c }) => [...key, c.evaluated, c.hits]),
    `on conflict (run, span, bucket, endpoint, rule) do update set ${add('rule_rollups', 'evaluated', 'hits')}`,
  );
}
