/**
 * One suite, both stores: SQLite and PostgreSQL behave the same through the store's public API
 * (libs/store/index.ts). Redelivery never counts twice, the counts of summary, endpoints and runs
 * add up, noise is decided the same by summary, endpoints and the discrepancy list, keyset pages
 * cover every discrepancy once, windows select whole buckets, and retention purges what it says.
 */
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, bucketOf } from '../../libs/store/buckets.js';
import { binOf, binUpperMs } from '../../libs/store/latency-bins.js';
import {
  compareRuns,
  decodeCursor,
  MAX_POINTS,
  DEFAULT_NOISE_THRESHOLDS,
  endpointStats,
  getDiscrepancy,
  listDiscrepancies,
  listRuns,
  purgeDetails,
  purgeExchangeIds,
  purgeRollups,
  recordBatch,
  recordDrops,
  recordExchange,
  recordFailedExchange,
  summary,
  timeline,
  type ExchangeOutcome,
  type ReportOptions,
  type StoredDifference,
} from '../../libs/store/index.js';
import type { Store } from '../../libs/store/open-store.js';
import type { Risk } from '../../libs/compare/difference.js';
import { openTestStore, STORE_KINDS } from '../support/stores.js';

/** A minute boundary some days ago, so that every bucket is whole and in the past. */
const T0 = bucketOf(Date.UTC(2026, 0, 5, 12, 0, 0));
const DAY = 86_400_000;

const diff = (field: string, risk: Risk, side: 'shadow' | 'secondary' = 'shadow', cancelled = false): StoredDifference => ({
  path: field,
  field,
  kind: 'value_changed',
  primary: 1,
  shadow: 2,
  risk,
  side,
  cancelled,
});

const body = { body: '{}', bodyEncoding: 'utf8' as const, bodySize: 2, bodyTruncated: false };

interface Spec {
  id: string;
  run?: string;
  endpoint?: string;
  at?: number;
  diffs?: StoredDifference[];
  secondary?: boolean;
  skip?: string;
  shadowFailed?: boolean;
}

/** An outcome as the comparator produces it; evidence when a shadow difference counts. */
function outcome(s: Spec): ExchangeOutcome {
  const diffs = s.diffs ?? [];
  const counting = diffs.filter((d) => d.side === 'shadow' && !d.cancelled);
  const rank = { low: 1, medium: 2, high: 3 } as const;
  const risk = counting.reduce<Risk | null>((r, d) => (r === null || rank[d.risk] > rank[r] ? d.risk : r), null);
  const endpoint = s.endpoint ?? 'GET /a';
  const at = s.at ?? T0;
  const url = `${endpoint.split(' ')[1] ?? '/'}?id=${s.id}`;
  const secondaryResponse = { status: 200, headers: {}, latencyMs: 4, error: null, ...body };
  return {
    id: s.id,
    run: s.run ?? 'live',
    runKind: 'live',
    endpoint,
    method: 'GET',
    url,
    outcome: s.skip ? 'skipped' : risk ? 'mismatch' : 'match',
    skipReason: s.skip ?? null,
    shadowFailed: s.shadowFailed ?? false,
    primaryStatus: 200,
    shadowStatus: s.shadowFailed ? 503 : 200,
    primaryLatencyMs: 3,
    shadowLatencyMs: 5,
    risk,
    hasSecondary: s.secondary ?? false,
    secondaryStatus: s.secondary ? 200 : null,
    receivedAt: at,
    comparedAt: at + 10,
    differences: s.skip ? [] : diffs,
    rules: { evaluated: [], hits: [] },
    ...(risk && !s.skip
      ? {
          evidence: {
            request: { method: 'GET', url, headers: {}, ...body },
            primary: { status: 200, headers: {}, latencyMs: 3, ...body },
            shadow: { status: 200, headers: {}, latencyMs: 5, error: null, ...body },
            secondary: s.secondary ? secondaryResponse : null,
            risk,
          },
        }
      : {}),
  } as ExchangeOutcome;
}

const OPTS: ReportOptions = { noise: DEFAULT_NOISE_THRESHOLDS };

/** The list's filters (endpoint, field, risk); noise thresholds and window are report options. */
type ListFilters = Partial<Pick<Parameters<typeof listDiscrepancies>[2], 'endpoint' | 'field' | 'risk'>>;

/** One page, the cursor given back as the API hands it out. */
const page = (store: Store, run: string, limit: number, cursor: string | null, q: ListFilters = {}, opts: ReportOptions = OPTS) =>
  listDiscrepancies(store, run, { ...q, limit, cursor: cursor === null ? null : decodeCursor(cursor) }, opts);

/** Every discrepancy the list gives, page by page, following its cursor. */
async function allPages(store: Store, run: string, q: ListFilters = {}, opts: ReportOptions = OPTS, limit = 7): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p = await page(store, run, limit, cursor, q, opts);
    expect(p.items.length).toBeLessThanOrEqual(limit);
    ids.push(...p.items.map((i) => i.id));
    cursor = p.nextCursor;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (cursor);
  return { ids, pages };
}

describe.each(STORE_KINDS)('%s store', (kind) => {
  it('counts a redelivered exchange once, across batches and within one', async () => {
    const store = await openTestStore(kind);
    const a = outcome({ id: 'a', diffs: [diff('$.price', 'high')] });
    const b = outcome({ id: 'b' });
    const c = outcome({ id: 'c', skip: 'body_too_large' });
    const d = outcome({ id: 'd', diffs: [diff('$.name', 'medium')] });
    expect(await recordBatch(store, [a, b, c], T0 + 100)).toEqual([true, true, true]);
    expect(await recordBatch(store, [b, d, a, c], T0 + 200)).toEqual([false, true, false, false]);
    expect(await recordBatch(store, [outcome({ id: 'e' }), outcome({ id: 'e' })], T0 + 300)).toEqual([true, false]);
    expect(await recordExchange(store, d)).toBe(false);

    const s = await summary(store, 'live', OPTS);
    expect(s).toMatchObject({ compared: 4, matched: 2, mismatched: 2, skipped: 1, skippedByReason: { body_too_large: 1 } });
    const [ep] = await endpointStats(store, 'live', OPTS);
    expect(ep).toMatchObject({ endpoint: 'GET /a', compared: 4, mismatched: 2, skipped: 1, byRisk: { high: 1, medium: 1, low: 0 } });
    expect(ep?.fields.find((f) => f.path === '$.price')).toMatchObject({ mismatches: 1, shadowDiffs: 1 });
    expect((await allPages(store, 'live')).ids.sort()).toEqual(['a', 'd']);
  });

  it('lets exactly one of two concurrent writers of the same exchanges count each', async () => {
    const store = await openTestStore(kind);
    const batch = Array.from({ length: 40 }, (_, i) => outcome({ id: `x${i}`, endpoint: `GET /e${i % 4}`, diffs: i % 3 ? [] : [diff('$.v', 'low')] }));
    const [first, second] = await Promise.all([recordBatch(store, batch, T0 + 1), recordBatch(store, [...batch].reverse(), T0 + 1)]);
    const reversed = [...(second ?? [])].reverse();
    expect(batch.map((_, i) => Number(first?.[i]) + Number(reversed[i]))).toEqual(batch.map(() => 1));
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 40, mismatched: 14 });
  });

  it('gives counts that add up between summary, endpoints and runs', async () => {
    const store = await openTestStore(kind);
    const outcomes: ExchangeOutcome[] = [];
    for (let i = 0; i < 60; i++) {
      const endpoint = ['GET /a', 'POST /b', 'GET /c/:id'][i % 3] as string;
      const at = T0 + (i % 5) * BUCKET_MS + i * 7;
      const spec: Spec = { id: `n${i}`, endpoint, at };
      if (i % 10 === 0) spec.skip = i % 20 === 0 ? 'body_too_large' : 'budget_exceeded';
      else if (i % 4 === 0) spec.diffs = [diff('$.total', 'high'), diff('header.etag', 'low')];
      else if (i % 7 === 0) spec.diffs = [diff('status', 'medium')];
      if (i % 9 === 0) spec.shadowFailed = true;
      outcomes.push(outcome(spec));
    }
    outcomes.push(outcome({ id: 'other-run', run: 'replay-1', diffs: [diff('$.x', 'low')] }));
    // Written in uneven batches, as the comparator flushes them.
    for (const [from, to] of [[0, 1], [1, 17], [17, 18], [18, 61]] as const) await recordBatch(store, outcomes.slice(from, to), T0 + 10 * BUCKET_MS);
    // A pair the comparator could not handle, and pairs lost before the queue: each counted once.
    const failed = { id: 'failed-1', run: 'live', runKind: 'live' as const, endpoint: 'POST /b', method: 'POST', url: '/b', primaryStatus: 200, receivedAt: T0 + 1 };
    expect(await recordFailedExchange(store, failed, T0 + 2)).toBe(true);
    expect(await recordFailedExchange(store, failed, T0 + 3)).toBe(false);
    expect(await recordBatch(store, [outcome({ id: 'failed-1', endpoint: 'POST /b' })], T0 + 4)).toEqual([false]);
    const drops = { v: 1 as const, reportId: 'ingress-1:1', run: 'live', counts: { queue_unavailable: 3, shadow_in_flight_limit: 2 } };
    expect(await recordDrops(store, drops, T0 + 5)).toBe(true);
    expect(await recordDrops(store, drops, T0 + 6)).toBe(false);

    const live = outcomes.filter((o) => o.run === 'live');
    const compared = live.filter((o) => o.outcome !== 'skipped');
    const mismatched = compared.filter((o) => o.outcome === 'mismatch');
    const s = await summary(store, 'live', OPTS);
    expect(s).toMatchObject({
      compared: compared.length,
      mismatched: mismatched.length,
      matched: compared.length - mismatched.length,
      skipped: live.length - compared.length + 1,
      shadowErrors: compared.filter((o) => o.shadowFailed).length,
      dropped: 5,
      skippedByReason: { body_too_large: 3, budget_exceeded: 3, comparator_error: 1 },
    });
    expect(s.mismatchRate).toBeCloseTo(mismatched.length / compared.length, 10);

    const eps = await endpointStats(store, 'live', OPTS);
    expect(eps.map((e) => e.endpoint).sort()).toEqual(['GET /a', 'GET /c/:id', 'POST /b']);
    const sum = (k: 'compared' | 'mismatched' | 'skipped' | 'shadowErrors') => eps.reduce((n, e) => n + e[k], 0);
    expect({ compared: sum('compared'), mismatched: sum('mismatched'), skipped: sum('skipped'), shadowErrors: sum('shadowErrors') }).toEqual({
      compared: s.compared,
      mismatched: s.mismatched,
      skipped: s.skipped,
      shadowErrors: s.shadowErrors,
    });
    for (const e of eps) {
      expect(e.byRisk.high + e.byRisk.medium + e.byRisk.low).toBe(e.mismatched);
      expect(Object.values(e.skippedByReason).reduce((a, n) => a + n, 0)).toBe(e.skipped);
      expect(e.compared).toBe(compared.filter((o) => o.endpoint === e.endpoint).length);
    }
    const runs = await listRuns(store, OPTS);
    expect(runs.map((r) => r.run).sort()).toEqual(['live', 'replay-1']);
    expect(runs.find((r) => r.run === 'live')).toMatchObject({ compared: s.compared, mismatched: s.mismatched });
    expect(runs.find((r) => r.run === 'replay-1')).toMatchObject({ compared: 1, mismatched: 1 });
    expect((await allPages(store, 'live')).ids.sort()).toEqual(mismatched.map((o) => o.id).sort());
  });

  it('decides noise the same in summary, endpoints and the discrepancy list', async () => {
    const store = await openTestStore(kind);
    const outcomes: ExchangeOutcome[] = [];
    // GET /a has a secondary: `$.ts` differs on every request, and on nine in ten against the
    // secondary too (noise under the default thresholds); `$.price` differs on one in ten against
    // the shadow only (real).
    for (let i = 0; i < 100; i++) {
      const diffs = [diff('$.ts', 'low'), ...(i % 10 === 5 ? [] : [diff('$.ts', 'low', 'secondary')])];
      if (i % 10 === 0) diffs.push(diff('$.price', 'high'));
      outcomes.push(outcome({ id: `a${i}`, endpoint: 'GET /a', at: T0 + i * 100, secondary: true, diffs }));
    }
    // GET /b has no secondary: nothing is noise there.
    for (let i = 0; i < 30; i++) outcomes.push(outcome({ id: `b${i}`, endpoint: 'GET /b', at: T0 + i * 100, diffs: i % 3 === 0 ? [diff('$.ts', 'low')] : [] }));
    await recordBatch(store, outcomes, T0 + DAY);

    const s = await summary(store, 'live', OPTS);
    expect(s).toMatchObject({ compared: 130, mismatched: 10 + 10 });
    const eps = await endpointStats(store, 'live', OPTS);
    const a = eps.find((e) => e.endpoint === 'GET /a');
    const b = eps.find((e) => e.endpoint === 'GET /b');
    expect(a).toMatchObject({ compared: 100, comparedWithSecondary: 100, mismatched: 10, byRisk: { high: 10, medium: 0, low: 0 } });
    expect(a?.fields.find((f) => f.path === '$.ts')).toMatchObject({ noise: true, shadowDiffs: 100, secondaryDiffs: 90, mismatches: 0 });
    expect(a?.fields.find((f) => f.path === '$.price')).toMatchObject({ noise: false, mismatches: 10 });
    expect(b).toMatchObject({ compared: 30, mismatched: 10, byRisk: { high: 0, medium: 0, low: 10 } });
    expect(b?.fields.find((f) => f.path === '$.ts')).toMatchObject({ noise: false, mismatches: 10 });

    // The list keeps exactly the exchanges the counts call mismatched, with their risk after noise.
    const listed = await allPages(store, 'live');
    expect(listed.ids.sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i * 10}`), ...Array.from({ length: 10 }, (_, i) => `b${i * 3}`)].sort());
    expect((await allPages(store, 'live', { endpoint: 'GET /a' })).ids).toHaveLength(a?.mismatched ?? -1);
    expect((await allPages(store, 'live', { risk: 'high' })).ids).toHaveLength(10);
    expect((await allPages(store, 'live', { risk: 'low' })).ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b${i * 3}`).sort());
    expect((await allPages(store, 'live', { field: '$.price' })).ids).toHaveLength(10);
    // `$.ts` is noise on GET /a, real on GET /b: the a-exchanges listed for it are those mismatched by `$.price`.
    expect((await allPages(store, 'live', { field: '$.ts' })).ids).toHaveLength(20);
    // With thresholds of zero the 10 % excess of `$.ts` is real: all 100 of GET /a are mismatched, everywhere.
    const strict: ReportOptions = { noise: { absolute: 0, relative: 0 } };
    expect((await summary(store, 'live', strict)).mismatched).toBe(110);
    expect((await endpointStats(store, 'live', strict)).find((e) => e.endpoint === 'GET /a')).toMatchObject({ mismatched: 100, byRisk: { high: 10, medium: 0, low: 90 } });
    expect((await allPages(store, 'live', {}, strict)).ids).toHaveLength(110);
  });

  it('pages through every discrepancy exactly once, newest first, ties broken by id', async () => {
    const store = await openTestStore(kind);
    const outcomes = Array.from({ length: 53 }, (_, i) =>
      // Several exchanges share a receive time: the keyset must break ties by id.
      outcome({ id: `k${String(i).padStart(3, '0')}`, endpoint: `GET /p${i % 3}`, at: T0 + Math.floor(i / 4) * 1000, diffs: i % 5 === 4 ? [] : [diff('$.v', 'medium')] }),
    );
    await recordBatch(store, outcomes, T0 + DAY);
    const expected = outcomes
      .filter((o) => o.outcome === 'mismatch')
      .sort((x, y) => y.receivedAt - x.receivedAt || (y.id < x.id ? -1 : 1))
      .map((o) => o.id);
    for (const limit of [1, 5, 7, 100]) {
      const { ids, pages } = await allPages(store, 'live', {}, OPTS, limit);
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
    // New discrepancies arriving mid-way never shift the pages already given.
    const first = await page(store, 'live', 10, null);
    await recordBatch(store, [outcome({ id: 'late', at: T0 + DAY, diffs: [diff('$.v', 'medium')] })], T0 + DAY);
    const rest = await allPages(store, 'live', {}, OPTS, 10);
    expect(rest.ids[0]).toBe('late');
    const second = await page(store, 'live', 10, first.nextCursor);
    expect(second.items.map((i) => i.id)).toEqual(expected.slice(10, 20));
    const onEndpoint = await allPages(store, 'live', { endpoint: 'GET /p1' }, OPTS, 4);
    expect(onEndpoint.ids).toEqual(expected.filter((id) => outcomes.find((o) => o.id === id)?.endpoint === 'GET /p1'));
  });

  it('selects whole minute buckets for a time window, in the counts and in the list alike', async () => {
    const store = await openTestStore(kind);
    const at = [T0 + 5_000, T0 + 55_000, T0 + BUCKET_MS + 1_000, T0 + 2 * BUCKET_MS + 59_000, T0 + 3 * BUCKET_MS];
    await recordBatch(store, at.map((t, i) => outcome({ id: `w${i}`, at: t, diffs: [diff('$.v', 'low')] })), T0 + DAY);
    const count = async (since: number, until: number) => {
      const window = { since, until };
      const s = await summary(store, 'live', { ...OPTS, window });
      const listed = await allPages(store, 'live', {}, { ...OPTS, window });
      const eps = await endpointStats(store, 'live', { ...OPTS, window });
      expect(listed.ids).toHaveLength(s.mismatched);
      expect(eps.reduce((n, e) => n + e.compared, 0)).toBe(s.compared);
      return s.compared;
    };
    // since rounds down to its minute, until up: the bucket of T0 is whole even from T0 + 30 s.
    expect(await count(T0 + 30_000, T0 + BUCKET_MS)).toBe(2);
    expect(await count(T0 + 30_000, T0 + BUCKET_MS + 1)).toBe(3);
    expect(await count(T0 + BUCKET_MS + 59_999, T0 + 3 * BUCKET_MS)).toBe(2);
    expect(await count(T0 + 3 * BUCKET_MS, T0 + 4 * BUCKET_MS)).toBe(1);
    expect(await count(T0 - DAY, T0 + DAY)).toBe(5);
  });

  it('reads any window from days, hours and minutes exactly as the minutes would add up', async () => {
    const store = await openTestStore(kind);
    // 240 exchanges spread over three days, one in four mismatched; arbitrary windows against a count.
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const outcomes = Array.from({ length: 240 }, (_, i) =>
      outcome({ id: `s${i}`, endpoint: i % 2 ? 'GET /a' : 'GET /b', at: T0 + Math.floor(next() * 3 * DAY), diffs: i % 4 === 0 ? [diff('$.v', 'high')] : [] }),
    );
    await recordBatch(store, outcomes, T0);
    const whole = (t: number) => t - (t % BUCKET_MS);
    for (let i = 0; i < 12; i++) {
      const since = T0 - DAY + Math.floor(next() * 4 * DAY);
      const until = since + Math.floor(next() * 2 * DAY);
      const from = whole(since);
      const to = whole(until) === until ? until : whole(until) + BUCKET_MS;
      const inside = outcomes.filter((o) => o.receivedAt >= from && o.receivedAt < to);
      const s = await summary(store, 'live', { ...OPTS, window: { since, until } });
      expect([s.compared, s.mismatched], `window ${since}..${until}`).toEqual([inside.length, inside.filter((o) => o.outcome === 'mismatch').length]);
    }
    // No window reads the run's totals.
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 240, mismatched: 60 });
  });

  it('gives a timeline whose points add up to the summary of the same window, noise decided over the window', async () => {
    const store = await openTestStore(kind);
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    // Two endpoints over two and a half days, with gaps; GET /a has a secondary and a noisy `$.ts`.
    const outcomes = Array.from({ length: 400 }, (_, i) => {
      const at = T0 + Math.floor(next() * 2.5 * DAY);
      if (i % 2 === 0) {
        const diffs = [diff('$.ts', 'low'), ...(i % 20 === 2 ? [] : [diff('$.ts', 'low', 'secondary')])];
        if (i % 8 === 0) diffs.push(diff('$.price', 'high'));
        return outcome({ id: `t${i}`, endpoint: 'GET /a', at, secondary: true, diffs, shadowFailed: i % 50 === 0 });
      }
      return outcome({ id: `t${i}`, endpoint: 'GET /b', at, diffs: i % 5 === 1 ? [diff('status', 'medium')] : [], skip: i % 33 === 0 ? 'body_too_large' : undefined });
    });
    await recordBatch(store, outcomes, T0);
    const windows = [undefined, { since: T0 + 7 * 60_000 + 5, until: T0 + 2 * 60 * 60_000 + 30_000 }, { since: T0 - DAY, until: T0 + 3 * DAY }, { since: T0 + DAY + 123_456 }];
    for (const window of windows) {
      for (const endpoint of [undefined, 'GET /a', 'GET /b']) {
        const opts = { ...OPTS, window, endpoint };
        const tl = await timeline(store, 'live', opts);
        expect(tl.points.length, JSON.stringify(window)).toBeLessThanOrEqual(MAX_POINTS);
        expect(tl.points.length).toBeGreaterThan(0);
        const starts = tl.points.map((p) => Date.parse(p.t));
        starts.forEach((t, i) => {
          expect(t % (tl.bucketSeconds * 1000)).toBe(0);
          if (i > 0) expect(t - (starts[i - 1] as number)).toBe(tl.bucketSeconds * 1000);
        });
        const sum = (k: 'compared' | 'mismatched' | 'skipped' | 'shadowErrors') => tl.points.reduce((n, p) => n + p[k], 0);
        const totals = { compared: sum('compared'), mismatched: sum('mismatched'), skipped: sum('skipped'), shadowErrors: sum('shadowErrors') };
        if (endpoint === undefined) {
          const s = await summary(store, 'live', opts);
          expect(totals, JSON.stringify(window)).toEqual({ compared: s.compared, mismatched: s.mismatched, skipped: s.skipped, shadowErrors: s.shadowErrors });
        } else {
          const e = (await endpointStats(store, 'live', opts)).find((x) => x.endpoint === endpoint);
          expect(totals, `${endpoint} ${JSON.stringify(window)}`).toEqual({ compared: e?.compared ?? 0, mismatched: e?.mismatched ?? 0, skipped: e?.skipped ?? 0, shadowErrors: e?.shadowErrors ?? 0 });
        }
        for (const p of tl.points) {
          expect(p.mismatchRate).toBe(p.compared === 0 ? 0 : p.mismatched / p.compared);
          // Empty points are there, with zeros and no latency: a chart draws no line through them.
          if (p.compared === 0) expect([p.mismatched, p.primaryP99Ms, p.shadowP99Ms]).toEqual([0, null, null]);
          else expect([p.primaryP99Ms, p.shadowP99Ms]).toEqual([binUpperMs(binOf(3)), binUpperMs(binOf(5))]);
        }
      }
    }
    // `$.ts` is noise over the whole run (90 % of GET /a differ against the secondary too): only `$.price` counts there.
    const whole = await timeline(store, 'live', { ...OPTS, endpoint: 'GET /a' });
    expect(whole.points.reduce((n, p) => n + p.mismatched, 0)).toBe(outcomes.filter((o) => o.endpoint === 'GET /a' && o.differences.some((d) => d.field === '$.price')).length);
    // Two hours read as 5-minute points (24), a minute window as one point of a minute, three days as 15-minute points.
    expect((await timeline(store, 'live', { ...OPTS, window: { since: T0, until: T0 + 2 * 3_600_000 } })).bucketSeconds).toBe(60);
    expect((await timeline(store, 'live', { ...OPTS, window: { since: T0, until: T0 + 6 * 3_600_000 } })).bucketSeconds).toBe(300);
    expect((await timeline(store, 'live', { ...OPTS, window: { since: T0, until: T0 + 3 * DAY } })).bucketSeconds).toBe(900);
    expect((await timeline(store, 'live', { ...OPTS, window: { since: T0, until: T0 + 60 * DAY } })).bucketSeconds).toBe(6 * 3600);
    expect(await timeline(store, 'nothing-here', OPTS)).toEqual({ run: 'nothing-here', endpoint: null, bucketSeconds: 60, points: [] });
  });

  it("gives the run's timeline the p99 of all its endpoints merged, and each endpoint's its own", async () => {
    const store = await openTestStore(kind);
    // One minute: GET /a answers in 3 ms (98 exchanges), GET /b in 300 ms (2): over the 100, p99 is GET /b's.
    const outcomes = Array.from({ length: 100 }, (_, i) => {
      const slow = i >= 98;
      return { ...outcome({ id: `l${i}`, endpoint: slow ? 'GET /b' : 'GET /a', at: T0 + i * 100, diffs: [] }), primaryLatencyMs: slow ? 300 : 3, shadowLatencyMs: slow ? 400 : 4 };
    });
    await recordBatch(store, outcomes, T0);
    const window = { since: T0, until: T0 + 60_000 };
    const p99s = async (endpoint?: string) => {
      const [p] = (await timeline(store, 'live', { ...OPTS, window, endpoint })).points;
      return [p?.primaryP99Ms, p?.shadowP99Ms];
    };
    expect(await p99s()).toEqual([binUpperMs(binOf(300)), binUpperMs(binOf(400))]);
    expect(await p99s('GET /a')).toEqual([binUpperMs(binOf(3)), binUpperMs(binOf(4))]);
    expect(await p99s('GET /b')).toEqual([binUpperMs(binOf(300)), binUpperMs(binOf(400))]);
  });

  it('compares two runs field by field: new, fixed and persisting, each run with its own noise', async () => {
    const store = await openTestStore(kind);
    const base: ExchangeOutcome[] = [];
    const head: ExchangeOutcome[] = [];
    for (let i = 0; i < 20; i++) {
      // base: `$.a` on every tenth, `$.b` on every fifth; head: `$.a` still, `$.b` fixed, `$.c` broken.
      base.push(outcome({ id: `b${i}`, run: 'v1', at: T0 + i, diffs: [...(i % 10 === 0 ? [diff('$.a', 'low')] : []), ...(i % 5 === 0 ? [diff('$.b', 'high')] : [])] }));
      head.push(outcome({ id: `h${i}`, run: 'v2', at: T0 + DAY + i, diffs: [...(i % 10 === 0 ? [diff('$.a', 'low')] : []), ...(i % 4 === 0 ? [diff('$.c', 'medium')] : [])] }));
    }
    base.push(outcome({ id: 'b-gone', run: 'v1', endpoint: 'GET /gone', diffs: [diff('$.x', 'low')] }));
    head.push(outcome({ id: 'h-new', run: 'v2', endpoint: 'GET /new', diffs: [diff('$.y', 'low')] }));
    await recordBatch(store, [...base, ...head], T0 + 2 * DAY);
    const c = await compareRuns(store, 'v1', 'v2', OPTS);
    expect(c.base).toBe('v1');
    expect(c.head).toBe('v2');
    const a = c.endpoints.find((e) => e.endpoint === 'GET /a');
    expect(a).toMatchObject({ presence: 'both', base: { compared: 20, mismatched: 4, mismatchRate: 0.2 }, head: { compared: 20, mismatched: 6, mismatchRate: 0.3 } });
    expect(a?.fields).toEqual([
      { path: '$.c', status: 'new', baseMismatches: 0, headMismatches: 5 },
      { path: '$.b', status: 'fixed', baseMismatches: 4, headMismatches: 0 },
      { path: '$.a', status: 'persisting', baseMismatches: 2, headMismatches: 2 },
    ]);
    expect(c.endpoints.find((e) => e.endpoint === 'GET /gone')).toMatchObject({ presence: 'base', head: { compared: 0 }, fields: [{ path: '$.x', status: 'fixed' }] });
    expect(c.endpoints.find((e) => e.endpoint === 'GET /new')).toMatchObject({ presence: 'head', base: { compared: 0 }, fields: [{ path: '$.y', status: 'new' }] });
    // The same window applies to both runs: before the head ran, everything it had is gone.
    const early = await compareRuns(store, 'v1', 'v2', { ...OPTS, window: { since: T0 - DAY, until: T0 + DAY } });
    expect(early.endpoints.find((e) => e.endpoint === 'GET /a')?.fields.map((f) => f.status)).toEqual(['fixed', 'fixed']);
  });

  it('purges evidence, exchange ids and rollups older than their cutoff, and nothing newer', async () => {
    const store = await openTestStore(kind);
    const now = T0 + 30 * DAY;
    const old = [outcome({ id: 'old-1', at: T0, diffs: [diff('$.v', 'high')] }), outcome({ id: 'old-2', at: T0 })];
    const fresh = [outcome({ id: 'new-1', at: now - BUCKET_MS, diffs: [diff('$.v', 'high')] }), outcome({ id: 'new-2', at: now - BUCKET_MS })];
    await recordBatch(store, old, T0 + 1000);
    await recordBatch(store, fresh, now - 1000);
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 4, mismatched: 2 });

    // Evidence: the old discrepancy goes, its counts stay.
    await purgeDetails(store, now - 7 * DAY);
    expect(await getDiscrepancy(store, 'old-1', OPTS)).toBeNull();
    expect(await getDiscrepancy(store, 'new-1', OPTS)).toMatchObject({ id: 'new-1', endpoint: 'GET /a' });
    expect((await allPages(store, 'live')).ids).toEqual(['new-1']);
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 4, mismatched: 2 });

    // Exchange ids: idempotence holds for a day; an id purged with its day is new again.
    await purgeExchangeIds(store, now - DAY);
    expect(await recordBatch(store, [fresh[0] as ExchangeOutcome], now)).toEqual([false]);
    expect(await recordBatch(store, [old[1] as ExchangeOutcome], now)).toEqual([true]);
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 5, mismatched: 2 });

    // Rollups (--rollup-retention): buckets before the cutoff go, newer ones stay; the run's totals
    // (no window, the counters of /metrics) keep counting what was purged, so counters never go down.
    await recordDrops(store, { v: 1, reportId: 'old-report', run: 'live', counts: { queue_unavailable: 4 } }, T0 + 5);
    await purgeRollups(store, now - 7 * DAY);
    await purgeRollups(store, now - 7 * DAY);
    expect(await summary(store, 'live', OPTS)).toMatchObject({ compared: 5, mismatched: 2, dropped: 4 });
    expect(await summary(store, 'live', { ...OPTS, window: { since: now - DAY, until: now } })).toMatchObject({ dropped: 0 });
    expect(await summary(store, 'live', { ...OPTS, window: { since: T0 - DAY, until: now + DAY } })).toMatchObject({ compared: 2, mismatched: 1 });
    expect(await summary(store, 'live', { ...OPTS, window: { since: now - DAY, until: now } })).toMatchObject({ compared: 2, mismatched: 1 });
  });
});
