/**
 * The SQL layer under the store (libs/store/db.ts), on both dialects: the shared subset the store's
 * queries are written in behaves the same, transactions commit or roll back whole, concurrent
 * upserts lose no increment, and a multi-row insert sliced by rowSlices fits either store's limit.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { num, rowSlices, valuesList, type Db } from '../../libs/store/db.js';
import { openTestStore, STORE_KINDS } from '../support/stores.js';

async function counters(db: Db): Promise<Record<string, number>> {
  const rows = await db.all<{ id: string; count: unknown }>(sql`select id, count from exchange_ids_test order by id`);
  return Object.fromEntries(rows.map((r) => [r.id, num(r.count)]));
}

describe.each(STORE_KINDS)('%s db', (kind) => {
  async function db(): Promise<Db> {
    const store = await openTestStore(kind);
    expect(store.dialect).toBe(kind);
    await store.db.run(sql`create table exchange_ids_test (id text primary key, count bigint not null default 0, at bigint not null)`);
    return store.db;
  }

  it('runs the shared SQL: ON CONFLICT DO UPDATE with excluded, DO NOTHING … RETURNING, CASE, COALESCE, window functions', async () => {
    const d = await db();
    await d.run(sql`insert into exchange_ids_test (id, count, at) values ${valuesList([['a', 1, 10], ['b', 2, 20]])}`);
    await d.run(sql`insert into exchange_ids_test (id, count, at) values ${valuesList([['a', 5, 5], ['c', 1, 30]])}
      on conflict (id) do update set count = exchange_ids_test.count + excluded.count,
      at = case when excluded.at < exchange_ids_test.at then excluded.at else exchange_ids_test.at end`);
    expect(await counters(d)).toEqual({ a: 6, b: 2, c: 1 });
    const inserted = await d.all<{ id: string }>(sql`insert into exchange_ids_test (id, at) values ${valuesList([['a', 0], ['d', 0], ['e', 0]])} on conflict do nothing returning id`);
    expect(inserted.map((r) => r.id).sort()).toEqual(['d', 'e']);
    const [row] = await d.all<{ total: unknown; none: unknown; first: unknown }>(
      sql`select sum(count) as total, coalesce(max(case when id = 'zz' then count end), -1) as none, min(at) as first from exchange_ids_test`,
    );
    expect({ total: num(row?.total), none: num(row?.none), first: num(row?.first) }).toEqual({ total: 9, none: -1, first: 0 });
    const ranked = await d.all<{ id: string; rn: unknown }>(sql`select id, row_number() over (order by count desc, id) as rn from exchange_ids_test order by rn`);
    expect(ranked.map((r) => [r.id, num(r.rn)])).toEqual([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5]]);
    expect(await d.run(sql`delete from exchange_ids_test where at < ${10}`)).toBe(3);
  });

  it('commits a transaction whole, or rolls it back whole', async () => {
    const d = await db();
    await d.transaction(async (tx) => {
      await tx.run(sql`insert into exchange_ids_test (id, at) values ('kept', 1)`);
      await tx.run(sql`update exchange_ids_test set count = count + 1 where id = 'kept'`);
    });
    await expect(
      d.transaction(async (tx) => {
        await tx.run(sql`insert into exchange_ids_test (id, at) values ('lost', 1)`);
        await tx.run(sql`insert into exchange_ids_test (id, at) values ('kept', 1)`); // primary key violation
      }),
    ).rejects.toThrow();
    expect(await counters(d)).toEqual({ kept: 1 });
    await expect(d.transaction((tx) => tx.transaction(async () => 1))).rejects.toThrow(/nested/);
  });

  it('loses no increment when transactions upsert the same keys concurrently', async () => {
    const d = await db();
    const keys = ['k1', 'k2', 'k3'];
    // Keys in one order in every transaction (as recordBatch writes them): no deadlock on PostgreSQL.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        d.transaction(async (tx) => {
          for (const k of keys) {
            await tx.run(sql`insert into exchange_ids_test (id, count, at) values (${k}, ${i + 1}, 0)
              on conflict (id) do update set count = exchange_ids_test.count + excluded.count`);
          }
        }),
      ),
    );
    expect(await counters(d)).toEqual({ k1: 210, k2: 210, k3: 210 });
  });

  it('inserts more rows than one statement can bind, slice by slice', async () => {
    const d = await db();
    const rows = Array.from({ length: 25_000 }, (_, i) => [`r${i}`, i, i] as const);
    let statements = 0;
    await d.transaction(async (tx) => {
      for (const slice of rowSlices(rows, 3)) {
        statements++;
        await tx.run(sql`insert into exchange_ids_test (id, count, at) values ${valuesList(slice)}`);
      }
    });
    expect(statements).toBeGreaterThan(1);
    const [n] = await d.all<{ n: unknown; s: unknown }>(sql`select count(*) as n, sum(count) as s from exchange_ids_test`);
    expect({ n: num(n?.n), s: num(n?.s) }).toEqual({ n: 25_000, s: (25_000 * 24_999) / 2 });
  });
});
