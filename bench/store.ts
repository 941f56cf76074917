/**
 * The store at production volume: a run seeded through the comparator's own write path
 * (`recordBatch`, batches of --store-batch outcomes) up to each of --store-sizes comparisons over 50
 * endpoints and 7 days of minute buckets, on SQLite and on PostgreSQL; at each size the report
 * routes are timed through the real report app (buildReportApp + app.inject: routing, validation
 * and serialisation count), with the write rate and the store's size.
 *
 *   node --import tsx bench/store.ts [--store-sizes 10000,1000000 --store-kinds sqlite --store-calls 30]
 *
 * The sizes are cumulative: the 1 M store is the 10 k one plus 990 k more comparisons, each stage
 * sweeping the same 7 days in receive-time order, as traffic arrives.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../libs/store/index.js';
import { BUCKET_MS, bucketOf } from '../libs/store/buckets.js';
import { buildReportApp } from '../services/report-api/report-app.js';
import { benchOptions, type BenchOptions, type StoreKind } from './support/options.js';
import { createBenchDatabase, type BenchDatabase } from './support/pg-database.js';
import { EXCHANGE_ID_WINDOW_MS, purgeExchangeIds, recordBatch } from './support/store-api.js';
import { outcomeBatches, prng } from './support/store-outcomes.js';
import { storeSizeBytes } from './support/store-size.js';
import { timeCalls, type Timing } from './support/timings.js';
import { removeTempDirs, tempDir } from './support/servers.js';

export const BENCH_RUN = 'bench';
export const DAYS = 7;
const DAY_MS = 86_400_000;

type Log = (line: string) => void;

/** The report routes timed at each size; `path(i)` is the i-th call's URL. */
export interface RouteSpec {
  key: string;
  label: string;
  path: (i: number, ctx: { discrepancyIds: readonly string[]; endMs: number }) => string;
}

const q = encodeURIComponent;
export const REPORT_ROUTES: readonly RouteSpec[] = [
  { key: 'summary', label: 'summary (whole run)', path: () => `/api/v1/summary?run=${BENCH_RUN}` },
  { key: 'summary-hour', label: 'summary (last hour)', path: (_i, c) => `/api/v1/summary?run=${BENCH_RUN}&since=${q(new Date(c.endMs - 3_600_000).toISOString())}` },
  { key: 'endpoints', label: 'endpoints', path: () => `/api/v1/endpoints?run=${BENCH_RUN}` },
  { key: 'timeline', label: 'timeline (whole run)', path: () => `/api/v1/timeline?run=${BENCH_RUN}` },
  { key: 'timeline-hour', label: 'timeline (last hour)', path: (_i, c) => `/api/v1/timeline?run=${BENCH_RUN}&since=${q(new Date(c.endMs - 3_600_000).toISOString())}` },
  // The run against itself: both sides' figures, as two candidates cost.
  { key: 'compare', label: 'runs/compare (two runs)', path: () => `/api/v1/runs/compare?base=${BENCH_RUN}&head=${BENCH_RUN}` },
  { key: 'gate', label: 'gate', path: () => `/api/v1/gate?run=${BENCH_RUN}&maxMismatchRate=0.05&minSamples=100` },
  { key: 'runs', label: 'runs', path: () => '/api/v1/runs' },
  { key: 'metrics', label: '/metrics', path: () => '/metrics' },
  { key: 'discrepancies', label: 'discrepancies, first page', path: () => `/api/v1/discrepancies?run=${BENCH_RUN}&limit=50` },
  {
    key: 'discrepancies-filtered',
    label: 'discrepancies, first page, field + risk filter',
    path: () => `/api/v1/discrepancies?run=${BENCH_RUN}&limit=50&field=${q('$.price')}&risk=high`,
  },
  {
    key: 'discrepancy',
    label: "a discrepancy's detail",
    // A different one each call, drawn over the whole store: not one cached page.
    path: (i, c) => `/api/v1/discrepancies/${q(c.discrepancyIds[i % Math.max(1, c.discrepancyIds.length)] ?? 'none')}`,
  },
];

export interface RouteResult {
  key: string;
  label: string;
  timing: Timing | null;
  /** Bytes of the last response. */
  bytes: number;
  /** Set when a call did not answer 200: the route's status and message. */
  error?: string;
}

export interface StoreStage {
  size: number;
  /** Outcomes recordBatch reported new (they all should be). */
  stored: number;
  /** Seconds spent in recordBatch for this stage, and its rate. */
  writeSeconds: number;
  writeRate: number;
  /** Seconds spent forgetting ids older than the idempotence window, as `start`'s retention loop does. */
  purgeSeconds: number;
  sizeBytes: number;
  routes: RouteResult[];
}

export interface StoreKindResult {
  kind: StoreKind;
  stages: StoreStage[];
  /** Set when this store could not be benchmarked (e.g. PostgreSQL not reachable). */
  error?: string;
}

export interface StoreBenchResult {
  batch: number;
  calls: number;
  warmupCalls: number;
  kinds: StoreKindResult[];
}

/** Keeps `max` items drawn uniformly from everything offered (reservoir sampling). */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private readonly rand = prng(7);
  constructor(private readonly max: number) {}
  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.max) this.items.push(item);
    else {
      const j = Math.floor(this.rand() * this.seen);
      if (j < this.max) this.items[j] = item;
    }
  }
}

async function timeRoutes(app: FastifyInstance, o: BenchOptions, ctx: { discrepancyIds: readonly string[]; endMs: number }): Promise<RouteResult[]> {
  const results: RouteResult[] = [];
  for (const route of REPORT_ROUTES) {
    let bytes = 0;
    let error: string | undefined;
    const call = async (i: number) => {
      const res = await app.inject({ method: 'GET', url: route.path(i, ctx) });
      bytes = res.rawPayload.length;
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body.slice(0, 200)}`);
    };
    let timing: Timing | null = null;
    try {
      timing = await timeCalls(call, o.storeWarmupCalls, o.storeCalls);
    } catch (e) {
      error = (e as Error).message;
    }
    results.push({ key: route.key, label: route.label, timing, bytes, ...(error ? { error } : {}) });
  }
  return results;
}

interface Seeding {
  store: Store;
  startMs: number;
  endMs: number;
  ids: Reservoir<string>;
  seeded: number;
}

/** How often, in the seeded traffic's time, the ids older than a day are purged (`start` does it every few minutes). */
const PURGE_EVERY_MS = 3_600_000;

/**
 * Adds `count` comparisons over the 7 days. Each batch is written as of its last comparison's time,
 * and the ids older than the idempotence window are purged as the traffic's clock moves on, so the
 * store holds what a week of real traffic leaves. Returns [stored, seconds in recordBatch, seconds purging].
 */
async function seed(s: Seeding, o: BenchOptions, count: number, stage: number, log: Log, label: string): Promise<[number, number, number]> {
  let stored = 0;
  let seconds = 0;
  let purgeSeconds = 0;
  let lastPurge = s.startMs;
  let lastLog = performance.now();
  const batches = outcomeBatches({ run: BENCH_RUN, count, startMs: s.startMs, spanMs: s.endMs - s.startMs, seed: 1000 + stage }, o.storeBatch);
  for (const batch of batches) {
    const now = batch[batch.length - 1]?.comparedAt ?? s.endMs;
    const t0 = performance.now();
    const fresh = await recordBatch(s.store, batch, now);
    seconds += (performance.now() - t0) / 1000;
    if (now - lastPurge >= PURGE_EVERY_MS) {
      const t1 = performance.now();
      await purgeExchangeIds(s.store, now - EXCHANGE_ID_WINDOW_MS);
      purgeSeconds += (performance.now() - t1) / 1000;
      lastPurge = now;
    }
    batch.forEach((outcome, i) => {
      if (!fresh[i]) return;
      stored++;
      if (outcome.evidence) s.ids.offer(outcome.id);
    });
    s.seeded += batch.length;
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`    ${label}: ${s.seeded.toLocaleString('en')} stored, ${(stored / seconds).toFixed(0)} /s in recordBatch`);
    }
  }
  return [stored, seconds, purgeSeconds];
}

async function openKind(kind: StoreKind, o: BenchOptions): Promise<{ location: string; pg?: BenchDatabase }> {
  if (kind === 'sqlite') return { location: join(tempDir('store'), 'store.db') };
  const pg = await createBenchDatabase(o.storePgUrl);
  return { location: pg.url, pg };
}

async function benchKind(kind: StoreKind, o: BenchOptions, log: Log): Promise<StoreKindResult> {
  let pg: BenchDatabase | undefined;
  let store: Store | undefined;
  let app: FastifyInstance | undefined;
  try {
    const opened = await openKind(kind, o);
    pg = opened.pg;
    const location = opened.location;
    if (pg) log(`  ${kind}: database ${pg.name}`);
    store = await openStore(location);
    app = await buildReportApp({ store, defaultRun: BENCH_RUN, logLevel: 'silent' });
    await app.ready();
    const endMs = bucketOf(Date.now()) + BUCKET_MS;
    const s: Seeding = { store, startMs: endMs - DAYS * DAY_MS, endMs, ids: new Reservoir(500), seeded: 0 };
    const stages: StoreStage[] = [];
    for (const [n, size] of o.storeSizes.entries()) {
      const [stored, writeSeconds, purgeSeconds] = await seed(s, o, size - s.seeded, n, log, `${kind} → ${size.toLocaleString('en')}`);
      const routes = await timeRoutes(app, o, { discrepancyIds: s.ids.items, endMs });
      const sizeBytes = await storeSizeBytes(location);
      const stage: StoreStage = { size, stored, writeSeconds, writeRate: stored / writeSeconds, purgeSeconds, sizeBytes, routes };
      stages.push(stage);
      const worst = routes.reduce((m, r) => Math.max(m, r.timing?.p99Ms ?? 0), 0);
      log(`  ${kind} at ${size.toLocaleString('en')}: write ${stage.writeRate.toFixed(0)} /s, slowest route p99 ${worst.toFixed(1)} ms`);
      for (const r of routes.filter((x) => x.error)) log(`    ${r.label}: ${r.error}`);
    }
    return { kind, stages };
  } catch (error) {
    log(`  ${kind}: ${(error as Error).stack ?? String(error)}`);
    return { kind, stages: [], error: (error as Error).message };
  } finally {
    await app?.close().catch(() => {});
    await store?.close().catch(() => {});
    const made = pg;
    await made?.drop().catch((e: Error) => log(`  could not drop ${made.name}: ${e.message}`));
  }
}

export async function storeBench(o: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<StoreBenchResult> {
  const kinds: StoreKindResult[] = [];
  for (const kind of o.storeKinds) kinds.push(await benchKind(kind, o, log));
  return { batch: o.storeBatch, calls: o.storeCalls, warmupCalls: o.storeWarmupCalls, kinds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const r = await storeBench(benchOptions());
    console.log(JSON.stringify(r, null, 2));
  } finally {
    removeTempDirs();
  }
}
