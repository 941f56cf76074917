import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { num } from '../../../libs/store/db.js';
import { openStore, recordBatch, type ExchangeOutcome, type Store } from '../../../libs/store/index.js';
import { createBatchWriter } from '../../../services/comparator/batch-writer.js';
import { createComparisonContext, createJobHandler, outcomeOf } from '../../../services/comparator/handle-job.js';
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

async function count(store: Store, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await store.db.all<{ n: unknown }>(query);
  return num(row?.n);
}

const job = (ex: ReturnType<typeof makeExchange>) => ({ name: 'compare-exchange' as const, id: ex.id, payload: { v: 1 as const, exchange: ex }, attempt: 0 });

describe('batch writer', () => {
  it('commits at once when every job in flight waits for it, without waiting out the delay', async () => {
    const store = await fresh();
    const batches: number[] = [];
    // A delay no test would wait out: the batch must go as soon as no other outcome can join it.
    const handle = createJobHandler(store, {
      batch: { delayMs: 600_000 },
      stages: {
        record: async (s, outcomes) => {
          batches.push(outcomes.length);
          return recordBatch(s, outcomes);
        },
      },
    });
    const first = await Promise.all(Array.from({ length: 10 }, () => handle(job(makeExchange()))));
    const second = await handle(job(makeExchange()));
    expect([...first, second].every((r) => r.recorded)).toBe(true);
    expect(batches).toEqual([10, 1]);
  });

  it('writes concurrent outcomes in one transaction and settles each job after the commit', async () => {
    const store = await fresh();
    const batches: number[] = [];
    const handle = createJobHandler(store, {
      stages: {
        record: async (s, outcomes) => {
          batches.push(outcomes.length);
          return recordBatch(s, outcomes);
        },
      },
    });
    const exchanges = Array.from({ length: 10 }, () => makeExchange());
    const results = await Promise.all(exchanges.map((ex) => handle(job(ex))));
    expect(results.every((r) => r.recorded)).toBe(true);
    expect(batches).toEqual([10]);
    expect(await count(store, sql`select sum(compared) as n from rollups where span = 0`)).toBe(10);
  });

  it('flushes at the batch size without waiting for the timer', async () => {
    const store = await fresh();
    const sizes: number[] = [];
    const writer = createBatchWriter(store, {
      maxBatch: 3,
      delayMs: 60_000,
      record: (s, o) => {
        sizes.push(o.length);
        return recordBatch(s, o);
      },
    });
    const ctx = createComparisonContext({});
    const outcomes = await Promise.all(Array.from({ length: 3 }, () => outcomeOf(makeExchange(), ctx)));
    expect(await Promise.all(outcomes.map((o) => writer.write(o)))).toEqual([true, true, true]);
    expect(sizes).toEqual([3]);
  });

  it('retries a failing batch outcome by outcome: one poisoned outcome becomes comparator_error alone', async () => {
    const store = await fresh();
    const handle = createJobHandler(store, {
      stages: {
        record: async (s, outcomes: readonly ExchangeOutcome[]) => {
          if (outcomes.some((o) => o.url.startsWith('/poison'))) throw new Error('injected store failure');
          return recordBatch(s, outcomes);
        },
      },
    });
    const good = Array.from({ length: 5 }, () => makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } }));
    const poisoned = makeExchange({ request: { ...makeExchange().request, url: '/poison/1' } });
    const results = await Promise.all([...good, poisoned].map((ex) => handle(job(ex))));
    expect(results.every((r) => r.recorded)).toBe(true);
    expect(await count(store, sql`select sum(compared) as n from rollups where span = 0`)).toBe(5);
    expect(await count(store, sql`select sum(count) as n from skip_rollups where span = 0 and reason = 'comparator_error'`)).toBe(1);
    expect(await count(store, sql`select count(*) as n from discrepancies`)).toBe(5);
    // The redelivery of the poisoned pair is recognised: it was counted once, as comparator_error.
    expect(await handle({ ...job(poisoned), attempt: 1 })).toEqual({ recorded: false });
  });
});
