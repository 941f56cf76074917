/**
 * The read-side tests' stores and seeding: a fresh SQLite file, or a fresh PostgreSQL database
 * (DATABASE_URL's server, else 127.0.0.1:5432 as postgres) created per test file and dropped after.
 * Rows are written straight into the rollup tables with SQL, independent of the write side.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { spanKeys } from '../../../libs/store/buckets.js';
import { valuesList } from '../../../libs/store/db.js';
import { openStore, type Store } from '../../../libs/store/open-store.js';
import { signatureOf } from '../../../libs/store/signature.js';
import type { Risk } from '../../../libs/compare/difference.js';
import { tempDb } from '../../support/temp.js';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

const serverUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh store of that kind; `dispose` closes it (and drops the PostgreSQL database). */
export async function freshStore(kind: StoreKind): Promise<{ store: Store; dispose: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const store = await openStore(tempDb());
    return { store, dispose: () => store.close() };
  }
  const name = `sdtest_read_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const store = await openStore(url.toString());
  return {
    store,
    dispose: async () => {
      await store.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

export const MINUTE = 60_000;
/** A bucket start well after 1970: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

export interface RollupRow {
  run?: string;
  endpoint: string;
  bucket?: number;
  compared?: number;
  skipped?: number;
  shadowErrors?: number;
  withSecondary?: number;
  differing?: number;
}


/**
 * Inserts rollup rows at every span their bucket counts under (minute, hour, day, total), adding to
 * what is there, as the write side does. `rows` hold [run, endpoint, bucket, ...rest].
 */
async function insertSpans(store: Store, table: string, keyColumns: string[], countColumns: string[], rows: readonly unknown[][]): Promise<void> {
  const columns = ['run', 'span', 'bucket', 'endpoint', ...keyColumns, ...countColumns];
  const conflict = ['run', 'span', 'bucket', 'endpoint', ...keyColumns].join(', ');
  const adds = countColumns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  for (const [run, endpoint, bucket, ...rest] of rows) {
    for (const k of spanKeys(bucket as number)) {
      const values = [run, k.span, k.bucket, endpoint, ...rest];
      await store.db.run(sql`insert into ${sql.identifier(table)} (${sql.raw(columns.join(', '))}) values ${valuesList([values])} on conflict (${sql.raw(conflict)}) do update set ${sql.raw(adds)}`);
    }
  }
}

export async function seedRollup(store: Store, r: RollupRow): Promise<void> {
  const bucket = r.bucket ?? T0;
  // The write side creates a run's row with its first exchange.
  await store.db.run(sql`insert into runs (name, kind, source, created_at) values (${r.run ?? 'live'}, 'live', 'live', ${bucket}) on conflict (name) do nothing`);
  for (const k of spanKeys(bucket)) {
    await store.db.run(sql`insert into rollups (run, span, bucket, endpoint, compared, skipped, shadow_errors, with_secondary, differing, first_at, last_at)
      values (${r.run ?? 'live'}, ${k.span}, ${k.bucket}, ${r.endpoint}, ${r.compared ?? 0}, ${r.skipped ?? 0}, ${r.shadowErrors ?? 0}, ${r.withSecondary ?? 0}, ${r.differing ?? 0}, ${bucket + 1}, ${bucket + 59_000})
      on conflict (run, span, bucket, endpoint) do update set compared = rollups.compared + excluded.compared, skipped = rollups.skipped + excluded.skipped,
        shadow_errors = rollups.shadow_errors + excluded.shadow_errors, with_secondary = rollups.with_secondary + excluded.with_secondary, differing = rollups.differing + excluded.differing,
        first_at = case when excluded.first_at < rollups.first_at then excluded.first_at else rollups.first_at end,
        last_at = case when excluded.last_at > rollups.last_at then excluded.last_at else rollups.last_at end`);
  }
}

export async function seedFields(store: Store, endpoint: string, fields: Record<string, [shadow: number, counting: number, secondary: number]>, bucket = T0, run = 'live') {
  const rows = Object.entries(fields).map(([field, [s, c, r]]) => [run, endpoint, bucket, field, s, c, r]);
  await insertSpans(store, 'field_rollups', ['field'], ['shadow_diffs', 'counting', 'secondary_diffs'], rows);
}

/** Counts `count` exchanges of the signature made of `fields` (field → its highest risk); returns its hash. */
export async function seedSignature(store: Store, endpoint: string, fields: Record<string, Risk>, count: number, bucket = T0, run = 'live'): Promise<string> {
  const sig = signatureOf(Object.entries(fields).map(([field, risk]) => ({ side: 'shadow', cancelled: false, field, risk })));
  if (!sig) throw new Error('a signature needs a field');
  await store.db.run(sql`insert into signatures (hash, fields) values (${sig.hash}, ${JSON.stringify(sig.fields)}) on conflict (hash) do nothing`);
  await insertSpans(store, 'signature_rollups', ['signature'], ['count'], [[run, endpoint, bucket, sig.hash, count]]);
  return sig.hash;
}

export async function seedSkips(store: Store, endpoint: string, reasons: Record<string, number>, bucket = T0, run = 'live') {
  const rows = Object.entries(reasons).map(([reason, n]) => [run, endpoint, bucket, reason, n]);
  await insertSpans(store, 'skip_rollups', ['reason'], ['count'], rows);
}

export async function seedLatency(store: Store, endpoint: string, side: 'primary' | 'shadow', bins: Record<number, number>, bucket = T0, run = 'live') {
  const rows = Object.entries(bins).map(([bin, n]) => [run, endpoint, bucket, side, Number(bin), n]);
  await insertSpans(store, 'latency_rollups', ['side', 'bin'], ['count'], rows);
}

export async function seedRule(store: Store, endpoint: string, rule: string, evaluated: number, hits: number, bucket = T0, run = 'live') {
  await insertSpans(store, 'rule_rollups', ['rule'], ['evaluated', 'hits'], [[run, endpoint, bucket, rule, evaluated, hits]]);
}

export async function seedDrops(store: Store, run: string, count: number, reportedAt = T0, reason = 'queue_unavailable') {
  await store.db.run(sql`insert into drops (report_id, run, reason, count, reported_at) values (${randomBytes(6).toString('hex')}, ${run}, ${reason}, ${count}, ${reportedAt})`);
}

export async function seedRun(store: Store, name: string, kind: 'live' | 'replay') {
  await store.db.run(sql`insert into runs (name, kind, source, created_at) values (${name}, ${kind}, ${null}, ${T0}) on conflict (name) do update set kind = excluded.kind`);
}

export interface DiscrepancySeed {
  id: string;
  endpoint: string;
  signature: string;
  receivedAt: number;
  run?: string;
  risk?: Risk;
  paths?: string[];
  /** Shadow differences: [path, field, risk, cancelled?] */
  differences?: [string, string, Risk, boolean?][];
  secondaryDifferences?: [string, string, Risk][];
}

const response = (status: number, body: string) => ({ status, headers: { 'content-type': 'application/json' }, body, bodyEncoding: 'utf8', bodySize: body.length, bodyTruncated: false, latencyMs: 5 });

export async function seedDiscrepancy(store: Store, d: DiscrepancySeed): Promise<void> {
  const [method, url] = d.endpoint.split(' ') as [string, string];
  const request = { method, url, headers: {}, body: null, bodyEncoding: 'utf8', bodySize: 0, bodyTruncated: false };
  const shadow = { ...response(200, '{"a":2}'), error: null, secondary: null };
  const diffs = d.differences ?? [];
  const secondaries = d.secondaryDifferences ?? [];
  await store.db.run(sql`insert into discrepancies (id, run, endpoint, method, url, primary_status, shadow_status, request, "primary", shadow, paths, risk, signature,
      received_at, created_at, differences_total, secondary_differences_total)
    values (${d.id}, ${d.run ?? 'live'}, ${d.endpoint}, ${method}, ${url}, ${200}, ${200}, ${JSON.stringify(request)}, ${JSON.stringify(response(200, '{"a":1}'))},
      ${JSON.stringify(shadow)}, ${JSON.stringify(d.paths ?? diffs.map(([p]) => p))}, ${d.risk ?? 'high'}, ${d.signature}, ${d.receivedAt}, ${d.receivedAt + 10},
      ${diffs.length}, ${secondaries.length})`);
  const rows = [
    ...diffs.map(([path, field, risk, cancelled], i) => [d.id, i, 'shadow', cancelled ? 1 : 0, path, field, 'value_changed', risk, '1', '2', null]),
    ...secondaries.map(([path, field, risk], i) => [d.id, diffs.length + i, 'secondary', 0, path, field, 'value_changed', risk, '1', '3', null]),
  ];
  if (rows.length > 0) {
    await store.db.run(sql`insert into differences (exchange_id, seq, side, cancelled, path, field, kind, risk, primary_value, other_value, detail) values ${valuesList(rows)}`);
  }
}
