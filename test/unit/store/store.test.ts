import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { binOf, binUpperMs } from '../../../libs/store/latency-bins.js';
import { openStore, summary, endpointStats, listDiscrepancies, decodeCursor, type Store } from '../../../libs/store/index.js';
import { createJobHandler } from '../../../services/comparator/handle-job.js';
import { makeExchange } from '../../support/fixtures.js';
import { tempDb } from '../../support/temp.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const fresh = async () => {
  const s = await openStore(tempDb());
  stores.push(s);
  return s;
};

describe('store', () => {
  it('migrates a fresh database to the current schema', async () => {
    const store = await fresh();
    const tables = await store.db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table' order by name`);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['differences', 'discrepancies', 'drops', 'exchange_ids', 'rollups', 'field_rollups', 'signature_rollups', 'latency_rollups', '__drizzle_migrations']),
    );
    expect(await store.db.all(sql`pragma journal_mode`)).toEqual([{ journal_mode: 'wal' }]);
    expect(await summary(store, 'live')).toEqual({ run: 'live', compared: 0, matched: 0, mismatched: 0, mismatchRate: 0, skipped: 0, shadowErrors: 0, dropped: 0, skippedByReason: {}, endpointCap: { max: 1000, reached: false } });
  });

  it('reopens an already migrated database without change', async () => {
    const file = tempDb();
    await (await openStore(file)).close();
    const again = await openStore(file);
    stores.push(again);
    const [row] = await again.db.all<{ n: number }>(sql`select count(*) as n from __drizzle_migrations`);
    expect(row?.n).toBeGreaterThan(0);
  });
});

describe('comparator job handler', () => {
  it('counts a redelivered exchange once', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {});
    const ex = makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    const job = { name: 'compare-exchange' as const, id: ex.id, payload: { v: 1 as const, exchange: ex }, attempt: 0 };
    expect(await handle(job)).toEqual({ recorded: true });
    expect(await handle({ ...job, attempt: 1 })).toEqual({ recorded: false });
    expect(await summary(store, 'live')).toMatchObject({ compared: 1, mismatched: 1 });
    expect(await endpointStats(store, 'live')).toEqual([
      {
        endpoint: 'GET /users/:id',
        compared: 1,
        mismatched: 1,
        mismatchRate: 1,
        skipped: 0,
        skippedByReason: {},
        shadowErrors: 0,
        comparedWithSecondary: 0,
        byRisk: { high: 0, medium: 1, low: 0 },
        // Percentiles come from the histogram: the upper bound of the bin (latency-bins.ts).
        latency: { primary: { p50: binUpperMs(binOf(5)), p95: binUpperMs(binOf(5)), p99: binUpperMs(binOf(5)) }, shadow: { p50: binUpperMs(binOf(6)), p95: binUpperMs(binOf(6)), p99: binUpperMs(binOf(6)) } },
        fields: [{ path: '$.a', mismatches: 1, shadowDiffs: 1, secondaryDiffs: 0, noise: false }],
        rules: [],
      },
    ]);
  });

  it('counts a redelivered drop report once', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {});
    const job = { name: 'record-drops' as const, id: 'r1', payload: { v: 1 as const, reportId: 'r1', run: 'live', counts: { queue_unavailable: 3, shadow_in_flight_limit: 2 } }, attempt: 0 };
    await handle(job);
    await handle(job);
    expect((await summary(store, 'live')).dropped).toBe(5);
  });

  it('records skipped exchanges with their reason and shadow failures as shadow errors', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {});
    const skipped = makeExchange({ skipReason: 'primary_body_too_large' });
    const failed = makeExchange({ shadow: null, shadowError: { code: 'timeout', message: 'slow', latencyMs: 5000 } });
    const fiveHundred = makeExchange();
    fiveHundred.shadow = { ...(fiveHundred.shadow as NonNullable<typeof fiveHundred.shadow>), status: 503 };
    for (const ex of [skipped, failed, fiveHundred]) await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
    expect(await summary(store, 'live')).toMatchObject({ compared: 2, mismatched: 2, skipped: 1, shadowErrors: 2 });
    expect(await store.db.all(sql`select reason, count from skip_rollups where span = 0`)).toEqual([{ reason: 'primary_body_too_large', count: 1 }]);
  });

  it('rejects a payload that breaks the contract as unrecoverable', async () => {
    const handle = createJobHandler(await fresh(), {});
    await expect(handle({ name: 'compare-exchange', id: 'x', payload: { v: 1, exchange: { id: 'x' } } as never, attempt: 0 })).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(handle({ name: 'compare-exchange', id: 'x', payload: { v: 99 } as never, attempt: 0 })).rejects.toThrow(/SD_ERR_PAYLOAD_INVALID/);
  });

  it('counts a broken payload that still names its pair as skipped (comparator_error), once', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {});
    const job = { name: 'compare-exchange' as const, id: 'y', payload: { v: 1, exchange: { id: 'y', run: 'live', request: { method: 'GET', url: '/a/1' } } } as never, attempt: 0 };
    expect(await handle(job)).toEqual({ recorded: true });
    expect(await handle(job)).toEqual({ recorded: false });
    expect(await summary(store, 'live')).toMatchObject({ compared: 0, skipped: 1, skippedByReason: { comparator_error: 1 } });
    expect((await endpointStats(store, 'live')).map((e) => e.endpoint)).toEqual(['GET /a/:id']);
  });
});

describe('discrepancy pagination', () => {
  it('pages newest first and stays stable while new discrepancies arrive', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {});
    const add = async (i: number) => {
      const ex = makeExchange({ id: `d${String(i).padStart(2, '0')}`, primaryJson: { n: i }, shadowJson: { n: i + 100 } });
      await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
    };
    for (let i = 0; i < 5; i++) await add(i);
    const page1 = await listDiscrepancies(store, 'live', { limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    for (let i = 5; i < 8; i++) await add(i); // arrive between two page reads
    const page2 = await listDiscrepancies(store, 'live', { limit: 2, cursor: decodeCursor(page1.nextCursor as string) });
    const page3 = await listDiscrepancies(store, 'live', { limit: 2, cursor: decodeCursor(page2.nextCursor as string) });
    const seen = [...page1.items, ...page2.items, ...page3.items].map((i) => i.id);
    expect(new Set(seen).size).toBe(5);
    expect(seen.sort()).toEqual(['d00', 'd01', 'd02', 'd03', 'd04']);
    expect(page3.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not issue', () => {
    expect(decodeCursor('garbage')).toBeNull();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
  });
});
