/** Runs and the figures /metrics and the gate read, from seeded rollups, on SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../libs/store/open-store.js';
import { listRuns, metricsFigures, runFigures } from '../../../libs/store/read/index.js';
import { freshStore, MINUTE, seedDrops, seedFields, seedRollup, seedRun, seedSignature, seedSkips, STORE_KINDS, T0 } from './read-stores.js';

const A = 'GET /a/:id';

async function seed(store: Store) {
  await seedRollup(store, { endpoint: A, compared: 100, withSecondary: 100, differing: 10, shadowErrors: 1, skipped: 2 });
  await seedSkips(store, A, { body_too_large: 2 });
  await seedFields(store, A, { '$.flaky': [8, 8, 7], '$.price': [2, 2, 0] });
  await seedSignature(store, A, { '$.flaky': 'low' }, 8);
  await seedSignature(store, A, { '$.price': 'high' }, 2);
  await seedRun(store, 'canary', 'replay');
  await seedRollup(store, { run: 'canary', endpoint: A, bucket: T0 + 5 * MINUTE, compared: 4, differing: 1 });
  await seedSignature(store, A, { '$.price': 'high' }, 1, T0 + 5 * MINUTE, 'canary');
  await seedDrops(store, 'live', 3);
  await seedDrops(store, 'gone', 5); // a run that only dropped
}

describe.each(STORE_KINDS)('read side: runs and metrics figures on %s', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await freshStore(kind));
    await seed(store);
  });
  afterAll(async () => dispose());

  it('lists runs by latest activity with their totals after noise', async () => {
    expect(await listRuns(store)).toEqual([
      { run: 'canary', kind: 'replay', compared: 4, mismatched: 1, mismatchRate: 0.25, firstSeenAt: new Date(T0 + 5 * MINUTE + 1).toISOString(), lastSeenAt: new Date(T0 + 5 * MINUTE + 59_000).toISOString() },
      { run: 'live', kind: 'live', compared: 100, mismatched: 2, mismatchRate: 0.02, firstSeenAt: new Date(T0 + 1).toISOString(), lastSeenAt: new Date(T0 + 59_000).toISOString() },
    ]);
  });

  it('gives counts before noise for counters and mismatches after noise for gauges', async () => {
    const figures = await metricsFigures(store);
    expect(figures.map((f) => [f.run, f.dropped])).toEqual([['canary', 0], ['gone', 5], ['live', 3]]);
    const live = figures.find((f) => f.run === 'live');
    expect(live).toEqual({
      run: 'live',
      dropped: 3,
      compared: 100,
      mismatched: 2,
      mismatchRate: 0.02,
      endpoints: [{ endpoint: A, compared: 100, differing: 10, mismatched: 2, mismatchRate: 0.02, shadowErrors: 1, skippedByReason: { body_too_large: 2 } }],
    });
  });

  it('gives the gate its figures over a window', async () => {
    expect(await runFigures(store, 'canary', { window: { since: T0 + 5 * MINUTE } })).toMatchObject({ compared: 4, mismatched: 1 });
    expect(await runFigures(store, 'canary', { window: { until: T0 + 5 * MINUTE } })).toMatchObject({ compared: 0, mismatched: 0, mismatchRate: 0, endpoints: [] });
  });
});
