/**
 * The store benchmark's parts that do not need the store: its settings, the outcome mix it seeds,
 * how it measures a store's size, the percentiles, the targets it marks and the docs section it
 * rewrites. (The benchmark itself runs with `npm run bench -- --only store`.)
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../../libs/store/signature.js';
import type { ExchangeOutcome } from '../../../libs/store/index.js';
import type { StoreBenchResult, StoreStage } from '../../../bench/store.js';
import { growthHeld, type GrowthRun } from '../../../bench/store-growth.js';
import { sizeLabel, storeSection, storeVerdicts } from '../../../bench/store-report.js';
import { replaceSection, writeSection } from '../../../libs/config/docs-section.js';
import { benchOptions, numberList } from '../../../bench/support/options.js';
import { createBenchDatabase, databaseUrl } from '../../../bench/support/pg-database.js';
import { BENCH_ENDPOINTS, outcomeBatches, prng } from '../../../bench/support/store-outcomes.js';
import { formatBytes, postgresSizeBytes, sqliteSizeBytes } from '../../../bench/support/store-size.js';
import { percentile, timeCalls, timingOf } from '../../../bench/support/timings.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sd-store-bench-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('store benchmark settings', () => {
  it('reads sizes, kinds and the suites', () => {
    const o = benchOptions(['--only', 'store', '--store-sizes', '1000000,10000', '--store-kinds', 'sqlite', '--growth-seconds', '2,5', '--store-calls', '7']);
    expect(o.storeSizes).toEqual([10_000, 1_000_000]);
    expect(o.storeKinds).toEqual(['sqlite']);
    expect(o.growthSeconds).toEqual([2, 5]);
    expect(o.storeCalls).toBe(7);
    expect([...o.only].sort()).toEqual(['store', 'store-growth', 'store-seeded']);
  });

  it('defaults to 10 k, 1 M and 10 M on both stores, and leaves the store out of the default suites', () => {
    const o = benchOptions([]);
    expect(o.storeSizes).toEqual([10_000, 1_000_000, 10_000_000]);
    expect(o.storeKinds).toEqual(['sqlite', 'postgres']);
    expect(o.growthSeconds).toEqual([3, 60]);
    expect(o.only.has('store-seeded')).toBe(false);
  });

  it('refuses what it cannot measure, naming the flag', () => {
    expect(() => benchOptions(['--store-kinds', 'mysql'])).toThrow(/--store-kinds/);
    expect(() => benchOptions(['--store-sizes', '10k'])).toThrow(/--store-sizes/);
    expect(() => benchOptions(['--store-sizes', '0'])).toThrow(/--store-sizes/);
    expect(() => benchOptions(['--growth-seconds', '3,0'])).toThrow(/--growth-seconds/);
    expect(() => benchOptions(['--only', 'stor'])).toThrow(/--only/);
    expect(numberList('x', '10_000, 20', 1)).toEqual([10_000, 20]);
  });
});

describe('the seeded outcomes', () => {
  const COUNT = 20_000;
  const start = Date.UTC(2026, 0, 1);
  const span = 7 * 86_400_000;
  const all: ExchangeOutcome[] = [];
  const sizes: number[] = [];
  for (const batch of outcomeBatches({ run: 'bench', count: COUNT, startMs: start, spanMs: span, seed: 1 }, 256)) {
    sizes.push(batch.length);
    all.push(...batch);
  }
  const share = (pred: (o: ExchangeOutcome) => boolean) => all.filter(pred).length / all.length;

  it('come in batches of the given size, in receive-time order over the span', () => {
    expect(all).toHaveLength(COUNT);
    expect(sizes.slice(0, -1).every((n) => n === 256)).toBe(true);
    expect(sizes.at(-1)).toBe(COUNT % 256);
    for (let i = 1; i < all.length; i++) expect(all[i]!.receivedAt).toBeGreaterThanOrEqual(all[i - 1]!.receivedAt);
    expect(all[0]!.receivedAt).toBeGreaterThanOrEqual(start);
    expect(all.at(-1)!.receivedAt).toBeLessThan(start + span);
    expect(new Set(all.map((o) => o.id)).size).toBe(COUNT);
  });

  it('spread over the 50 endpoints, a few of them busiest', () => {
    const counts = new Map<string, number>();
    for (const o of all) counts.set(o.endpoint, (counts.get(o.endpoint) ?? 0) + 1);
    expect(BENCH_ENDPOINTS).toHaveLength(50);
    expect(counts.size).toBe(50);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]!).toBeGreaterThan(5 * sorted.at(-1)!);
  });

  it('hold one mismatch in ten, with evidence and a signature from a small set', () => {
    const mismatches = all.filter((o) => o.outcome === 'mismatch');
    expect(mismatches.length / COUNT).toBeGreaterThan(0.085);
    expect(mismatches.length / COUNT).toBeLessThan(0.115);
    const hashes = new Set<string>();
    for (const o of all) {
      const sig = signatureOf(o.differences);
      expect(sig === null).toBe(o.outcome !== 'mismatch');
      expect(o.evidence !== undefined).toBe(o.outcome === 'mismatch');
      if (sig) hashes.add(sig.hash);
      if (o.evidence) {
        expect(o.evidence.risk).toBe(o.risk);
        expect(o.evidence.primary.bodySize).toBeGreaterThan(800);
        expect(o.evidence.primary.bodySize).toBeLessThan(1300);
        expect(o.evidence.secondary !== null).toBe(o.hasSecondary);
      }
    }
    expect(hashes.size).toBeGreaterThanOrEqual(6);
    // A secondary cancelling one field of a two-field signature leaves the other alone: a few more.
    expect(hashes.size).toBeLessThanOrEqual(12);
    expect(mismatches.some((o) => o.shadowFailed && o.shadowStatus === 503)).toBe(true);
  });

  it('have secondaries on one in five (their differences cancel the shadow\'s on the same field), a few skipped, spread latencies', () => {
    expect(share((o) => o.hasSecondary)).toBeGreaterThan(0.17);
    expect(share((o) => o.hasSecondary)).toBeLessThan(0.23);
    expect(all.some((o) => o.differences.some((d) => d.side === 'shadow' && d.cancelled))).toBe(true);
    for (const o of all) if (o.differences.some((d) => d.side === 'secondary')) expect(o.hasSecondary).toBe(true);
    const skipped = all.filter((o) => o.outcome === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((o) => o.skipReason !== null && o.differences.length === 0)).toBe(true);
    const lat = timingOf(all.map((o) => o.primaryLatencyMs));
    expect(lat.p50Ms).toBeGreaterThan(10);
    expect(lat.p99Ms).toBeGreaterThan(3 * lat.p50Ms);
    expect(all.every((o) => Number.isFinite(o.primaryLatencyMs) && o.primaryLatencyMs > 0)).toBe(true);
    expect(all.some((o) => o.rules.evaluated.length > 0 && o.rules.hits.length > 0)).toBe(true);
  });

  it('are the same for the same seed (ids aside), and differ for another', () => {
    const take = (seed: number) => [...outcomeBatches({ run: 'r', count: 300, startMs: start, spanMs: span, seed }, 100)].flat().map((o) => `${o.endpoint}@${o.receivedAt}:${o.outcome}`);
    expect(take(5)).toEqual(take(5));
    expect(take(5)).not.toEqual(take(6));
    const r = prng(1);
    expect(Array.from({ length: 1000 }, r).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("the store's size", () => {
  it('of SQLite counts the file, its WAL and its shared memory', () => {
    const file = join(tempDir(), 'store.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (x text)');
    const before = sqliteSizeBytes(file);
    const insert = db.prepare('insert into t values (?)');
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
    const files = ['', '-wal', '-shm'].map((s) => readFileSync(`${file}${s}`).length);
    expect(sqliteSizeBytes(file)).toBe(files.reduce((a, b) => a + b, 0));
    expect(files[1]).toBeGreaterThan(0);
    expect(sqliteSizeBytes(file)).toBeGreaterThan(before + 900_000);
    db.close();
    expect(sqliteSizeBytes(join(tempDir(), 'missing.db'))).toBe(0);
  });

  it('of PostgreSQL is pg_database_size of a database the benchmark creates and drops', async () => {
    const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const bench = await createBenchDatabase(server);
    expect(bench.name).toMatch(/^sdbench_[0-9a-f]{12}$/);
    try {
      const before = await postgresSizeBytes(bench.url);
      const c = new pg.Client({ connectionString: bench.url });
      await c.connect();
      await c.query("create table t as select repeat('x', 500) as x from generate_series(1, 20000)");
      await c.end();
      expect(before).toBeGreaterThan(0);
      expect(await postgresSizeBytes(bench.url)).toBeGreaterThan(before + 5_000_000);
    } finally {
      await bench.drop();
    }
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    const left = await c.query('select 1 from pg_database where datname = $1', [bench.name]);
    await c.end();
    expect(left.rowCount).toBe(0);
    expect(databaseUrl('postgres://u@h:1/postgres?sslmode=disable', 'x')).toBe('postgres://u@h:1/x?sslmode=disable');
  });

  it('reads as KiB, MiB, GiB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('percentiles', () => {
  it('are nearest-rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 0.5)).toBe(50);
    expect(percentile(s, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(timingOf([3, 1, 2]).p50Ms).toBe(2);
  });

  it('time only the calls after the warm-up', async () => {
    const seen: number[] = [];
    const t = await timeCalls(async (i) => void seen.push(i), 2, 5);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(t.calls).toBe(5);
  });
});

const stage = (size: number, p99: Record<string, number>, writeRate = 25_000): StoreStage => ({
  size,
  stored: size,
  writeSeconds: size / writeRate,
  writeRate,
  purgeSeconds: 0,
  sizeBytes: size * 100,
  routes: Object.entries(p99).map(([key, ms]) => ({ key, label: key, bytes: 10, timing: { calls: 30, p50Ms: ms / 2, p99Ms: ms, maxMs: ms } })),
});

describe('the store targets', () => {
  it('mark a route over 50 ms or grown past 1.5× as not met, and a slow SQLite write', () => {
    const r: StoreBenchResult = {
      batch: 256,
      calls: 30,
      warmupCalls: 5,
      kinds: [
        { kind: 'sqlite', stages: [stage(10_000, { summary: 4, gate: 4 }), stage(10_000_000, { summary: 5, gate: 7 })] },
        { kind: 'postgres', stages: [stage(10_000, { summary: 4 }), stage(10_000_000, { summary: 60 })] },
      ],
    };
    const v = storeVerdicts(r, undefined);
    const find = (re: RegExp) => v.find((x) => re.test(x.target));
    expect(find(/^SQLite: every read route < 50 ms/)?.met).toBe(true);
    expect(find(/^SQLite: every read route's p99/)?.met).toBe(false);
    expect(find(/^SQLite: every read route's p99/)?.numbers).toMatch(/gate 1\.75×/);
    expect(find(/^SQLite: the batched write path/)?.met).toBe(true);
    expect(find(/^PostgreSQL: every read route < 50 ms/)?.met).toBe(false);
    const slow = storeVerdicts({ ...r, kinds: [{ kind: 'sqlite', stages: [stage(10_000, { summary: 1 }, 12_000)] }] }, undefined);
    expect(slow.find((x) => /write path/.test(x.target))?.met).toBe(false);
    expect(slow.find((x) => /< 50 ms/.test(x.target))?.target).toMatch(/quick run/);
  });

  it('say when a store could not be measured', () => {
    const v = storeVerdicts({ batch: 1, calls: 1, warmupCalls: 0, kinds: [{ kind: 'postgres', stages: [], error: 'connection refused' }] }, undefined);
    expect(v).toEqual([{ target: 'PostgreSQL: every read route < 50 ms p99', met: null, numbers: 'connection refused' }]);
  });

  it('compare the report after the long load with the short one', () => {
    const run = (seconds: number, p50: number): GrowthRun =>
      ({ seconds, stored: seconds * 1000, routes: [{ key: 'summary', label: 'summary', timing: { calls: 30, p50Ms: p50, p99Ms: p50, maxMs: p50 } }] }) as GrowthRun;
    expect(growthHeld([run(3, 2), run(60, 3.3)]).met).toBe(true);
    expect(growthHeld([run(3, 2), run(60, 3.5)]).met).toBe(false);
    expect(growthHeld([run(3, 20), run(60, 24)]).met).toBe(true);
    expect(growthHeld([run(3, 2)]).met).toBe(null);
  });

  it('render the tables with a column per size', () => {
    const r: StoreBenchResult = { batch: 256, calls: 30, warmupCalls: 5, kinds: [{ kind: 'sqlite', stages: [stage(10_000, { summary: 4 }), stage(1_000_000, { summary: 5 })] }] };
    const text = storeSection(['date: now'], r, undefined).join('\n');
    expect(text).toContain('| p50 / p99 ms | 10 k stored | 1 M stored | p99 1 M / 10 k |');
    expect(text).toContain('| summary | 2.00 / 4.00 | 2.50 / 5.00 | 1.25× |');
    expect(text).toMatch(/\| SQLite: every read route < 50 ms p99 at 1 M \(a quick run/);
    expect(sizeLabel(2_500_000)).toBe('2.5 M');
  });
});

describe('the docs section', () => {
  const doc = '# Benchmarks\n\nbefore\n\n<!-- store-bench:begin -->\nold table\n<!-- store-bench:end -->\n\nafter\n';

  it('replaces what is between the markers and nothing else', () => {
    const next = replaceSection(doc, 'store-bench', '| new | table |\n');
    expect(next).toBe('# Benchmarks\n\nbefore\n\n<!-- store-bench:begin -->\n| new | table |\n<!-- store-bench:end -->\n\nafter\n');
    expect(replaceSection(next, 'store-bench', '| new | table |')).toBe(next);
  });

  it('appends the section with its markers when they are missing, and refuses half a pair', () => {
    expect(replaceSection('# B\n', 'store-bench', 'x')).toBe('# B\n\n<!-- store-bench:begin -->\nx\n<!-- store-bench:end -->\n');
    expect(() => replaceSection('<!-- store-bench:end --> <!-- store-bench:begin -->', 'store-bench', 'x')).toThrow(/markers/);
    expect(() => replaceSection('<!-- store-bench:begin -->', 'store-bench', 'x')).toThrow(/markers/);
  });

  it('has its markers in docs/benchmarks.md, once each and in order', () => {
    const text = readFileSync(new URL('../../../docs/benchmarks.md', import.meta.url), 'utf8');
    const begin = text.split('<!-- store-bench:begin -->').length - 1;
    const end = text.split('<!-- store-bench:end -->').length - 1;
    expect([begin, end]).toEqual([1, 1]);
    expect(text.indexOf('<!-- store-bench:begin -->')).toBeLessThan(text.indexOf('<!-- store-bench:end -->'));
    expect(replaceSection(text, 'store-bench', 'x')).toContain('x\n<!-- store-bench:end -->\n\n## Running it');
  });

  it('rewrites the file in place', () => {
    const file = join(tempDir(), 'benchmarks.md');
    writeFileSync(file, doc);
    writeSection(file, 'store-bench', 'fresh');
    expect(readFileSync(file, 'utf8')).toContain('<!-- store-bench:begin -->\nfresh\n<!-- store-bench:end -->\n\nafter');
  });
});
