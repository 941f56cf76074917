/** The discrepancy list (keyset, server-side filters, noise) and detail from seeded rows, on SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../libs/store/open-store.js';
import { decodeCursor, getDiscrepancy, listDiscrepancies, summary, type DiscrepancyQuery, type ReportOptions } from '../../../libs/store/read/index.js';
import { freshStore, MINUTE, seedDiscrepancy, seedFields, seedRollup, seedSignature, STORE_KINDS, T0 } from './read-stores.js';

const A = 'GET /a/:id';
const B = 'POST /b';

/** `$.flaky` is noise on A (the shadow differs there barely more than the secondary): d1 and d5 differ only there. */
async function seed(store: Store) {
  await seedRollup(store, { endpoint: A, compared: 100, withSecondary: 100, differing: 5 });
  await seedRollup(store, { endpoint: A, bucket: T0 + MINUTE, compared: 5, differing: 1 });
  await seedRollup(store, { endpoint: B, compared: 5, differing: 1 });
  await seedFields(store, A, { '$.flaky': [3, 3, 1], '$.price': [2, 2, 0] });
  await seedFields(store, A, { '$.name': [1, 1, 0] }, T0 + MINUTE);
  await seedFields(store, B, { status: [1, 1, 0] });
  const flaky = await seedSignature(store, A, { '$.flaky': 'low' }, 2);
  const flakyPrice = await seedSignature(store, A, { '$.flaky': 'low', '$.price': 'high' }, 1);
  const price = await seedSignature(store, A, { '$.price': 'medium' }, 1);
  const name = await seedSignature(store, A, { '$.name': 'medium' }, 1, T0 + MINUTE);
  const status = await seedSignature(store, B, { status: 'high' }, 1);
  await seedDiscrepancy(store, { id: 'd1', endpoint: A, signature: flaky, risk: 'low', receivedAt: T0 + 1000, differences: [['$.flaky', '$.flaky', 'low']] });
  await seedDiscrepancy(store, {
    id: 'd2',
    endpoint: A,
    signature: flakyPrice,
    risk: 'high',
    receivedAt: T0 + 2000,
    differences: [['$.flaky', '$.flaky', 'low'], ['$.price', '$.price', 'high']],
    secondaryDifferences: [['$.flaky', '$.flaky', 'low']],
  });
  await seedDiscrepancy(store, {
    id: 'd3',
    endpoint: A,
    signature: price,
    risk: 'medium',
    receivedAt: T0 + 2000,
    differences: [['$.price', '$.price', 'medium'], ['$.x', '$.x', 'high', true]],
  });
  await seedDiscrepancy(store, { id: 'd4', endpoint: A, signature: name, risk: 'medium', receivedAt: T0 + MINUTE + 1000, differences: [['$.name', '$.name', 'medium']] });
  await seedDiscrepancy(store, { id: 'd5', endpoint: A, signature: flaky, risk: 'low', receivedAt: T0 + 4000, differences: [['$.flaky', '$.flaky', 'low']] });
  await seedDiscrepancy(store, { id: 'd6', endpoint: B, signature: status, risk: 'high', receivedAt: T0 + 5000, differences: [['status', 'status', 'high']] });
}

describe.each(STORE_KINDS)('read side: discrepancies on %s', (kind) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await freshStore(kind));
    await seed(store);
  });
  afterAll(async () => dispose());

  const ids = async (q: Partial<DiscrepancyQuery>, opts: ReportOptions = {}) =>
    (await listDiscrepancies(store, 'live', { limit: 50, ...q }, opts)).items.map((i) => i.id);

  it('pages newest first by keyset, leaving out what is all noise, in the shape of today', async () => {
    const page1 = await listDiscrepancies(store, 'live', { limit: 2 });
    expect(page1.items.map((i) => i.id)).toEqual(['d4', 'd6']);
    expect(page1.items[0]).toEqual({
      id: 'd4',
      run: 'live',
      endpoint: A,
      method: 'GET',
      url: '/a/:id',
      primaryStatus: 200,
      shadowStatus: 200,
      paths: ['$.name'],
      risk: 'medium',
      createdAt: new Date(T0 + MINUTE + 1010).toISOString(),
    });
    const cursor = decodeCursor(page1.nextCursor as string);
    expect(cursor).toEqual({ receivedAt: T0 + 5000, id: 'd6' });
    const page2 = await listDiscrepancies(store, 'live', { limit: 2, cursor });
    // d2 and d3 share their receive time: the id breaks the tie.
    expect(page2.items.map((i) => i.id)).toEqual(['d3', 'd2']);
    expect(page2.nextCursor).toBeNull();
    // The list holds as many as the summary's mismatched: they agree on noise.
    expect((await ids({})).length).toBe((await summary(store, 'live')).mismatched);
  });

  it('shows the risk after noise and filters on it on the server', async () => {
    const all = await listDiscrepancies(store, 'live', { limit: 50 });
    expect(all.items.find((i) => i.id === 'd2')?.risk).toBe('high');
    expect(await ids({ risk: 'high' })).toEqual(['d6', 'd2']);
    expect(await ids({ risk: 'medium' })).toEqual(['d4', 'd3']);
    expect(await ids({ risk: 'low' })).toEqual([]);
    // With noise thresholds that make nothing noise, the flaky-only pairs are low-risk discrepancies.
    const nothingIsNoise = { noise: { absolute: 0, relative: 0 } };
    expect(await ids({ risk: 'low' }, nothingIsNoise)).toEqual(['d5', 'd1']);
    expect(await ids({}, nothingIsNoise)).toEqual(['d4', 'd6', 'd5', 'd3', 'd2', 'd1']);
  });

  it('filters on endpoint and on a field that differs for real', async () => {
    expect(await ids({ endpoint: B })).toEqual(['d6']);
    expect(await ids({ endpoint: A, risk: 'high' })).toEqual(['d2']);
    expect(await ids({ field: '$.price' })).toEqual(['d3', 'd2']);
    expect(await ids({ field: '$.x' })).toEqual([]); // only a cancelled difference there
    expect(await ids({ field: '$.flaky' })).toEqual(['d2']); // d1 and d5 are all noise
    expect(await ids({ field: '$.price', limit: 1 })).toEqual(['d3']);
  });

  it('selects whole buckets for a window', async () => {
    expect(await ids({}, { window: { since: T0 + MINUTE + 30_000 } })).toEqual(['d4']);
    // until in the middle of the first minute: the whole minute, including what came after that instant.
    expect(await ids({}, { window: { until: T0 + 1500 } })).toEqual(['d6', 'd3', 'd2']);
  });

  it('shows one discrepancy with its noise flags, and null for an unknown id', async () => {
    const d = await getDiscrepancy(store, 'd2');
    expect(d).toMatchObject({
      id: 'd2',
      run: 'live',
      endpoint: A,
      risk: 'high',
      request: { method: 'GET', url: '/a/:id' },
      primary: { status: 200, body: '{"a":1}', latencyMs: 5 },
      shadow: { status: 200, body: '{"a":2}', error: null },
      secondary: null,
      differences: [
        { path: '$.flaky', field: '$.flaky', kind: 'value_changed', risk: 'low', primary: 1, shadow: 2, noise: true },
        { path: '$.price', field: '$.price', kind: 'value_changed', risk: 'high', primary: 1, shadow: 2, noise: false },
      ],
      secondaryDifferences: [{ path: '$.flaky', primary: 1, secondary: 3 }],
      differencesTotal: 2,
      secondaryDifferencesTotal: 1,
      differencesTruncated: false,
    });
    expect((await getDiscrepancy(store, 'd3'))?.differences.map((x) => x.noise)).toEqual([false, true]);
    expect(await getDiscrepancy(store, 'nope')).toBeNull();
  });

  it('refuses a cursor it did not make', () => {
    expect(decodeCursor('garbage')).toBeNull();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('[1.5,"a"]').toString('base64url'))).toBeNull();
  });
});
