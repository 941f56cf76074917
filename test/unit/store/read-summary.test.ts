/** Summary and endpoint figures from rollup rows seeded with SQL, on SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../libs/store/open-store.js';
import { endpointCapStatus, endpointStats, noiseFields, summary } from '../../../libs/store/read/index.js';
import { binUpperMs } from '../../../libs/store/latency-bins.js';
import { freshStore, MINUTE, seedDrops, seedFields, seedLatency, seedRollup, seedRule, seedSignature, seedSkips, STORE_KINDS, T0 } from './read-stores.js';

const A = 'GET /a/:id';
const B = 'POST /b';

/**
 * A, bucket T0: 100 compared against a secondary, 15 differing before noise. `$.flaky` differs as often
 * for the secondary (noise), `$.price` and `$.name` do not. B, bucket T0+1min: no secondary, 2 of 10 differ.
 */
async function seed(store: Store) {
  await seedRollup(store, { endpoint: A, compared: 100, withSecondary: 100, differing: 15, shadowErrors: 2, skipped: 3 });
  await seedSkips(store, A, { body_too_large: 2, comparator_error: 1 });
  await seedFields(store, A, { '$.flaky': [10, 10, 9], '$.price': [5, 5, 0], '$.name': [3, 3, 0] });
  await seedSignature(store, A, { '$.flaky': 'low' }, 7);
  await seedSignature(store, A, { '$.flaky': 'low', '$.price': 'high' }, 3);
  await seedSignature(store, A, { '$.price': 'medium' }, 2);
  await seedSignature(store, A, { '$.name': 'medium' }, 3);
  await seedLatency(store, A, 'primary', { 10: 50, 20: 45, 30: 5 });
  await seedRule(store, A, 'tolerance $.price', 100, 4);
  await seedRule(store, A, 'ignore $.ts', 100, 0);
  await seedRollup(store, { endpoint: B, bucket: T0 + MINUTE, compared: 10, differing: 2 });
  await seedFields(store, B, { status: [2, 2, 0] }, T0 + MINUTE);
  await seedSignature(store, B, { status: 'high' }, 2, T0 + MINUTE);
  await seedDrops(store, 'live', 4, T0 + 30_000);
}

describe.each(STORE_KINDS)('read side: summary and endpoints on %s', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await freshStore(kind));
    await seed(store);
  });
  afterAll(async () => dispose());

  it('sums the rollups, with mismatches after the window noise', async () => {
    expect(await summary(store, 'live')).toEqual({
      run: 'live',
      compared: 110,
      matched: 100,
      mismatched: 10,
      mismatchRate: 10 / 110,
      skipped: 3,
      shadowErrors: 2,
      dropped: 4,
      skippedByReason: { body_too_large: 2, comparator_error: 1 },
      endpointCap: { max: 1000, reached: false },
    });
  });

  it('answers zeros for a run it does not know', async () => {
    expect(await summary(store, 'nope')).toMatchObject({ run: 'nope', compared: 0, mismatched: 0, mismatchRate: 0, skippedByReason: {}, dropped: 0 });
    expect(await endpointStats(store, 'nope')).toEqual([]);
  });

  it('lists endpoints with fields, risk, rules, latency and skips, in the shape of today', async () => {
    const stats = await endpointStats(store, 'live');
    expect(stats.map((e) => e.endpoint)).toEqual([B, A]); // by mismatch rate: 0.2, then 0.08
    expect(stats[1]).toEqual({
      endpoint: A,
      compared: 100,
      mismatched: 8,
      mismatchRate: 0.08,
      skipped: 3,
      skippedByReason: { body_too_large: 2, comparator_error: 1 },
      shadowErrors: 2,
      comparedWithSecondary: 100,
      byRisk: { high: 3, medium: 5, low: 0 },
      latency: { primary: { p50: binUpperMs(10), p95: binUpperMs(20), p99: binUpperMs(30) }, shadow: { p50: null, p95: null, p99: null } },
      fields: [
        { path: '$.price', mismatches: 5, shadowDiffs: 5, secondaryDiffs: 0, noise: false },
        { path: '$.name', mismatches: 3, shadowDiffs: 3, secondaryDiffs: 0, noise: false },
        { path: '$.flaky', mismatches: 0, shadowDiffs: 10, secondaryDiffs: 9, noise: true },
      ],
      rules: [
        { rule: 'ignore $.ts', evaluated: 100, hits: 0 },
        { rule: 'tolerance $.price', evaluated: 100, hits: 4 },
      ],
    });
    expect(stats[0]).toMatchObject({ endpoint: B, compared: 10, mismatched: 2, byRisk: { high: 2, medium: 0, low: 0 }, skippedByReason: {} });
  });

  it('agrees between summary, endpoints and noise fields, and follows the thresholds', async () => {
    const stats = await endpointStats(store, 'live');
    expect(stats.reduce((a, e) => a + e.mismatched, 0)).toBe((await summary(store, 'live')).mismatched);
    expect(await noiseFields(store, 'live')).toEqual(new Map([[A, new Set(['$.flaky'])]]));
    const strict = { noise: { absolute: 0, relative: 0 } };
    expect((await summary(store, 'live', strict)).mismatched).toBe(17);
    expect((await endpointStats(store, 'live', strict)).find((e) => e.endpoint === A)?.byRisk).toEqual({ high: 3, medium: 5, low: 7 });
  });

  it('selects whole minute buckets for a window', async () => {
    // since in the middle of B's minute: the whole minute counts, A's does not.
    expect(await summary(store, 'live', { window: { since: T0 + MINUTE + 30_000 } })).toMatchObject({ compared: 10, mismatched: 2, skipped: 0, dropped: 0 });
    // until in the middle of A's minute: rounded up to its end, B's minute left out; drops by their bucket too.
    expect(await summary(store, 'live', { window: { until: T0 + 1 } })).toMatchObject({ compared: 100, mismatched: 8, skipped: 3, dropped: 4 });
    expect((await endpointStats(store, 'live', { window: { until: T0 + 1 } })).map((e) => e.endpoint)).toEqual([A]);
  });

  it('reports the endpoint cap reached once OTHER has counts, whatever the window', async () => {
    expect(await endpointCapStatus(store, 'live', { maxEndpoints: 4 })).toEqual({ max: 4, reached: false });
    await seedRollup(store, { run: 'capped', endpoint: 'OTHER', bucket: T0, compared: 1 });
    expect(await endpointCapStatus(store, 'capped', { maxEndpoints: 4 })).toEqual({ max: 4, reached: true });
    expect((await summary(store, 'capped', { window: { since: T0 + 10 * MINUTE } })).endpointCap).toEqual({ max: 1000, reached: true });
  });
});
