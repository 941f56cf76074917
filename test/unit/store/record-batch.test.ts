import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { num } from '../../../libs/store/db.js';
import { BUCKET_MS, bucketOf, SPAN } from '../../../libs/store/buckets.js';
import { binOf } from '../../../libs/store/latency-bins.js';
import {
  openStore,
  purgeDetails,
  purgeExchangeIds,
  purgeRollups,
  recordBatch,
  recordExchange,
  recordFailedExchange,
  redactionKey,
  runEndpoints,
  trimCaptures,
  type ExchangeOutcome,
  type Store,
} from '../../../libs/store/index.js';
import { createComparisonContext, outcomeOf } from '../../../services/comparator/handle-job.js';
import { makeExchange } from '../../support/fixtures.js';
import { tempDb } from '../../support/temp.js';

// P builds the shared PostgreSQL helper; this file keeps its own minimal one.
const PG_ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgDatabases: string[] = [];
const stores: Store[] = [];

async function pgStore(): Promise<Store> {
  const name = `sdtest_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  pgDatabases.push(name);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return openStore(url.toString());
}

afterAll(async () => {
  for (const s of stores.splice(0)) await s.close();
  if (pgDatabases.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  for (const name of pgDatabases) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

const KINDS = { sqlite: async () => openStore(tempDb()), postgres: pgStore };

const T0 = Date.UTC(2025, 0, 1, 12, 0, 10);
const ctx = createComparisonContext({ capture: false });

async function outcome(over: Parameters<typeof makeExchange>[0] = {}): Promise<ExchangeOutcome> {
  return outcomeOf(makeExchange({ receivedAt: T0, ...over }), ctx, T0 + 1);
}

/** A table's rows; for a rollup table, its minute span's rows without the span column (the other spans: test/integration/store-contract.test.ts). */
async function rows(store: Store, table: string): Promise<Record<string, unknown>[]> {
  const minutes = table.endsWith('rollups') ? sql` where span = ${SPAN.minute} order by bucket` : sql``;
  const found = await store.db.all(sql`select * from ${sql.identifier(table)}${minutes}`);
  // PostgreSQL returns bigints as strings: compare numbers.
  return found.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'span').map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
}

describe.each(Object.keys(KINDS) as (keyof typeof KINDS)[])('recordBatch on %s', (kind) => {
  const fresh = async () => {
    const s = await KINDS[kind]();
    stores.push(s);
    return s;
  };

  it('counts an exchange redelivered in a later batch, or twice in one batch, once', async () => {
    const store = await fresh();
    const a = await outcome({ primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    const b = await outcome();
    expect(await recordBatch(store, [a, b, a])).toEqual([true, true, false]);
    expect(await recordBatch(store, [b, a])).toEqual([false, false]);
    expect(await recordExchange(store, a)).toBe(false);
    const [r] = await rows(store, 'rollups');
    expect(r).toMatchObject({ compared: 2, differing: 1 });
    expect(await rows(store, 'signature_rollups')).toEqual([expect.objectContaining({ count: 1 })]);
    expect(await rows(store, 'discrepancies')).toHaveLength(1);
  });

  it('writes the rollups the plan describes', async () => {
    const store = await fresh();
    const mismatch = await outcome({ primaryJson: { a: 1, b: 1 }, shadowJson: { a: 2, b: 1 } });
    const secondaryNoise = await outcome({
      primaryJson: { a: 1, t: 1 },
      shadowJson: { a: 1, t: 2 },
      secondary: { status: 200, headers: { 'content-type': 'application/json' }, body: makeExchange({ primaryJson: { a: 1, t: 3 } }).primary.body, latencyMs: 4 },
    });
    const match = await outcome({ receivedAt: T0 + 20_000 });
    const failing = await outcome({ shadow: null, shadowError: { code: 'timeout', message: 'slow', latencyMs: 900 } });
    const skipped = await outcome({ skipReason: 'primary_body_too_large' });
    expect(await recordBatch(store, [mismatch, secondaryNoise, match, failing, skipped], T0 + 5)).toEqual([true, true, true, true, true]);
    const bucket = bucketOf(T0);
    const endpoint = 'GET /users/:id';
    expect(await rows(store, 'rollups')).toEqual([
      { run: 'live', endpoint, bucket, compared: 4, skipped: 1, shadow_errors: 1, with_secondary: 1, differing: 2, first_at: T0, last_at: T0 + 20_000 },
    ]);
    expect(await rows(store, 'skip_rollups')).toEqual([{ run: 'live', endpoint, bucket, reason: 'primary_body_too_large', count: 1 }]);
    const fields = (await rows(store, 'field_rollups')).map((r) => [r.field, r.shadow_diffs, r.counting, r.secondary_diffs]);
    expect(fields.sort()).toEqual(
      [
        ['$.a', 1, 1, 0],
        ['$.t', 1, 0, 1],
        ['shadow', 1, 1, 0],
      ].sort(),
    );
    const latency = (await rows(store, 'latency_rollups')).map((r) => `${r.side}:${r.bin}:${r.count}`).sort();
    expect(latency).toEqual([`primary:${binOf(5)}:4`, `shadow:${binOf(6)}:3`, `shadow:${binOf(900)}:1`].sort());
    // The run's own histogram (one endpoint here: the same bins), for the run's timeline.
    expect((await rows(store, 'run_latency_rollups')).map((r) => `${r.side}:${r.bin}:${r.count}`).sort()).toEqual(latency);
    expect(await rows(store, 'signatures')).toHaveLength(2);
    expect(await rows(store, 'exchange_ids')).toHaveLength(5);
    expect((await rows(store, 'exchange_ids')).every((r) => r.seen_at === T0 + 5)).toBe(true);
    const discrepancies = await rows(store, 'discrepancies');
    expect(discrepancies.map((d) => d.id).sort()).toEqual([mismatch.id, failing.id].sort());
    expect(await rows(store, 'runs')).toEqual([{ name: 'live', kind: 'live', source: 'live', created_at: T0 + 1 }]);
  });

  it('writes concurrent batches over the same rollup rows without a deadlock or a lost count', async () => {
    const store = await fresh();
    const batchOf = async (tag: string) => {
      const out: ExchangeOutcome[] = [];
      for (let i = 0; i < 60; i++) {
        const ex = makeExchange({ receivedAt: T0 + (i % 3) * BUCKET_MS, primaryJson: { a: 1, b: 1 }, shadowJson: { a: i, b: i % 2 } });
        ex.request.url = `/e${i % 20}/x`;
        out.push(await outcomeOf(ex, ctx, T0));
      }
      // Opposite orders in the two batches: rows are still locked in key order.
      return tag === 'a' ? out : out.reverse();
    };
    const [a, b] = await Promise.all([batchOf('a'), batchOf('b')]);
    await Promise.all([recordBatch(store, a), recordBatch(store, b), recordBatch(store, a.slice(0, 30))]);
    const [r] = await store.db.all<{ n: unknown }>(sql`select sum(compared) as n from rollups where span = ${SPAN.total}`);
    expect(num(r?.n)).toBe(120);
  });

  it('adds to the rollups of a later batch, keeping first and last seen', async () => {
    const store = await fresh();
    await recordBatch(store, [await outcome({ receivedAt: T0 + 1000 })]);
    await recordBatch(store, [await outcome({ receivedAt: T0 }), await outcome({ receivedAt: T0 + BUCKET_MS })]);
    const byBucket = (await rows(store, 'rollups')).map((r) => [r.bucket, r.compared, r.first_at, r.last_at]);
    expect(byBucket.sort()).toEqual([
      [bucketOf(T0), 2, T0, T0 + 1000],
      [bucketOf(T0) + BUCKET_MS, 1, T0 + BUCKET_MS, T0 + BUCKET_MS],
    ]);
  });

  it('counts rule evaluations and hits', async () => {
    const store = await fresh();
    const o = await outcome();
    await recordBatch(store, [{ ...o, rules: { evaluated: ['r1', 'r2'], hits: ['r2'] } }, { ...(await outcome()), rules: { evaluated: ['r2'], hits: ['r2'] } }]);
    const rules = (await rows(store, 'rule_rollups')).map((r) => [r.rule, r.evaluated, r.hits]).sort();
    expect(rules).toEqual([
      ['r1', 1, 0],
      ['r2', 2, 2],
    ]);
  });

  it('records an exchange of the wrong kind for its run as skipped run_conflict, without evidence', async () => {
    const store = await fresh();
    await recordBatch(store, [await outcome()]);
    const replay = { ...(await outcome({ primaryJson: { a: 1 }, shadowJson: { a: 2 } })), runKind: 'replay' as const };
    expect(await recordBatch(store, [replay])).toEqual([true]);
    expect(await rows(store, 'skip_rollups')).toEqual([expect.objectContaining({ reason: 'run_conflict', count: 1 })]);
    expect(await rows(store, 'discrepancies')).toHaveLength(0);
  });

  it('caps the stored differences but counts every field', async () => {
    const store = await fresh();
    const many = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i]));
    const changed = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i + 1]));
    const o = await outcome({ primaryJson: many, shadowJson: changed });
    await recordBatch(store, [o]);
    const [d] = await rows(store, 'discrepancies');
    expect(d).toMatchObject({ differences_total: 1200 });
    const [stored] = await store.db.all<{ n: unknown }>(sql`select count(*) as n from differences`);
    expect(num(stored?.n)).toBe(1000);
    expect(await rows(store, 'field_rollups')).toHaveLength(1200);
  });

  it('counts a failed exchange once as comparator_error', async () => {
    const store = await fresh();
    const f = { id: 'f1', run: 'live', runKind: 'live' as const, endpoint: 'UNKNOWN', method: '-', url: '-', primaryStatus: 0, receivedAt: T0 };
    expect(await recordFailedExchange(store, f)).toBe(true);
    expect(await recordFailedExchange(store, f)).toBe(false);
    expect(await rows(store, 'rollups')).toEqual([expect.objectContaining({ skipped: 1, compared: 0 })]);
    expect(await rows(store, 'skip_rollups')).toEqual([expect.objectContaining({ reason: 'comparator_error', count: 1 })]);
  });

  it('purges details, captures, ids and rollups, and keeps what is newer', async () => {
    const store = await fresh();
    const capture = { request: { method: 'GET', url: '/users/1', headers: {}, body: '', bodySize: 0 }, response: null };
    const old = { ...(await outcome({ primaryJson: { a: 1 }, shadowJson: { a: 2 } })), capture, comparedAt: T0 };
    const recent = { ...(await outcome({ primaryJson: { a: 1 }, shadowJson: { a: 3 }, receivedAt: T0 + 10 * BUCKET_MS })), capture, comparedAt: T0 + 10 * BUCKET_MS };
    await recordBatch(store, [old], T0);
    await recordBatch(store, [recent], T0 + 10 * BUCKET_MS);
    expect(await purgeDetails(store, T0 + BUCKET_MS)).toEqual({ discrepancies: 1 });
    expect((await rows(store, 'discrepancies')).map((d) => d.id)).toEqual([recent.id]);
    expect(new Set((await rows(store, 'differences')).map((d) => d.exchange_id))).toEqual(new Set([recent.id]));
    expect(await trimCaptures(store, 1)).toBe(1);
    expect((await rows(store, 'captures')).map((c) => c.id)).toEqual([recent.id]);
    expect(await purgeExchangeIds(store, T0 + 1)).toBe(1);
    expect((await rows(store, 'exchange_ids')).map((r) => r.id)).toEqual([recent.id]);
    expect(await purgeRollups(store, bucketOf(T0) + BUCKET_MS)).toBeGreaterThan(0);
    expect((await rows(store, 'rollups')).map((r) => r.bucket)).toEqual([bucketOf(T0) + 10 * BUCKET_MS]);
    expect((await rows(store, 'field_rollups')).every((r) => r.bucket === bucketOf(T0) + 10 * BUCKET_MS)).toBe(true);
  });

  it('knows a run\'s endpoints from its rollups and keeps one redaction key', async () => {
    const store = await fresh();
    await recordBatch(store, [await outcome(), await outcome({ request: { ...makeExchange().request, url: '/orders/7' } })]);
    expect(await runEndpoints(store, 'live')).toEqual(['GET /orders/:id', 'GET /users/:id']);
    expect(await runEndpoints(store, 'other')).toEqual([]);
    expect((await redactionKey(store)).equals(await redactionKey(store))).toBe(true);
  });
});
