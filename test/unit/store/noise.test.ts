import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_NOISE_THRESHOLDS, endpointStats, isNoise, listDiscrepancies, openStore, summary, type Store } from '../../../libs/store/index.js';
import { createJobHandler } from '../../../services/comparator/handle-job.js';
import { body, makeExchange } from '../../support/fixtures.js';
import { tempDb } from '../../support/temp.js';

describe('isNoise (Diffy rule)', () => {
  it.each([
    // shadowDiffs, secondaryDiffs, N, noise?
    [10, 0, 100, false], // the secondary never differs there: real
    [10, 9, 100, true], // barely more often than the secondary: noise
    [50, 10, 100, false], // 40 % of N and 80 % of s in excess: real
    [20, 18, 1000, true], // excess 0.2 % of N: under the absolute threshold
    [30, 26, 100, true], // excess 4 % of N but only 13 % of s: under the relative threshold
    [5, 5, 100, true],
    [3, 7, 100, true],
    [10, 10, 0, false], // no secondary comparisons: nothing is noise
  ])('s=%i r=%i N=%i -> noise %s', (s, r, n, expected) => {
    expect(isNoise(s, r, n, DEFAULT_NOISE_THRESHOLDS)).toBe(expected);
  });

  it('follows the configured thresholds', () => {
    expect(isNoise(30, 26, 100, { absolute: 3, relative: 10 })).toBe(false);
    expect(isNoise(50, 10, 100, { absolute: 50, relative: 20 })).toBe(true);
  });
});

describe('field-level noise in the report', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('makes no pair a mismatch for a noise field, even where the secondary did not differ on that very request', async () => {
    const store = await openStore(tempDb());
    stores.push(store);
    const handle = createJobHandler(store);
    // 100 requests. `flaky` differs for the shadow on requests 0-9 and for the secondary on 10-18:
    // the same rate, on different requests, so per-request cancellation cannot see it.
    // `price` differs for the shadow on requests 0-9 and never for the secondary: a real regression.
    for (let i = 0; i < 100; i++) {
      const primary = { flaky: 'a', price: 10 };
      const shadowJson = { flaky: i < 10 ? 'b' : 'a', price: i < 5 ? 11 : 10 };
      const secondaryJson = { flaky: i >= 10 && i < 19 ? 'b' : 'a', price: 10 };
      const ex = makeExchange({ id: `n${i}`, primaryJson: primary, shadowJson });
      ex.secondary = { status: 200, headers: { 'content-type': 'application/json' }, body: body(secondaryJson), latencyMs: 4 };
      ex.secondaryError = null;
      await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
    }
    const [stats] = await endpointStats(store, 'live');
    expect(stats?.fields).toEqual([
      { path: '$.price', mismatches: 5, shadowDiffs: 5, secondaryDiffs: 0, noise: false },
      { path: '$.flaky', mismatches: 0, shadowDiffs: 10, secondaryDiffs: 9, noise: true },
    ]);
    expect(stats).toMatchObject({ compared: 100, mismatched: 5, comparedWithSecondary: 100 });
    expect(await summary(store, 'live')).toMatchObject({ compared: 100, mismatched: 5, matched: 95 });
    // Requests 5-9 differ only in the noise field: not in the discrepancy list.
    const listed = (await listDiscrepancies(store, 'live', { limit: 100 })).items.map((i) => i.id).sort();
    expect(listed).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    // Stricter thresholds make the same field real.
    expect((await summary(store, 'live', { noise: { absolute: 0, relative: 0 } })).mismatched).toBe(10);
  });
});
