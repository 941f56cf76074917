/**
 * The report's growth under real traffic: `shadow-diff start` (100 % mirroring, embedded queue)
 * loaded flat out with wrk for each of --growth-seconds (3 and 60 by default), a fresh store each
 * time; once every sampled pair is stored, the report routes are timed over HTTP on the same
 * process. The report's cost must not grow with what the load stored.
 *
 *   node --import tsx bench/store-growth.ts [--growth-seconds 3,60 --store-kinds sqlite]
 */
import { stopAll } from './support/children.js';
import { benchOptions, type BenchOptions, type StoreKind } from './support/options.js';
import { createBenchDatabase } from './support/pg-database.js';
import { removeTempDirs, startShadowDiff, startUpstream, waitSettled, type Server, type Settled } from './support/servers.js';
import { timeCalls, type Timing } from './support/timings.js';
import { runWrk, type WrkResult } from './support/wrk.js';

type Log = (line: string) => void;

/** The routes a user, a gate and Prometheus call, on the live run. */
export const GROWTH_ROUTES: readonly { key: string; label: string; path: string }[] = [
  { key: 'summary', label: 'summary', path: '/api/v1/summary' },
  { key: 'endpoints', label: 'endpoints', path: '/api/v1/endpoints' },
  { key: 'gate', label: 'gate', path: '/api/v1/gate?maxMismatchRate=0.05&minSamples=1' },
  { key: 'runs', label: 'runs', path: '/api/v1/runs' },
  { key: 'metrics', label: '/metrics', path: '/metrics' },
  { key: 'discrepancies', label: 'discrepancies, first page', path: '/api/v1/discrepancies?limit=50' },
];

export interface GrowthRun {
  seconds: number;
  wrk: WrkResult;
  settled: Settled;
  /** compared + skipped in the store once settled. */
  stored: number;
  routes: { key: string; label: string; timing: Timing | null; error?: string }[];
}

export interface GrowthKindResult {
  kind: StoreKind;
  /** The loads asked for, seconds (runs holds those that completed). */
  seconds: number[];
  runs: GrowthRun[];
  error?: string;
}

async function timeHttp(baseUrl: string, o: BenchOptions): Promise<GrowthRun['routes']> {
  const out: GrowthRun['routes'] = [];
  for (const r of GROWTH_ROUTES) {
    const call = async () => {
      const res = await fetch(`${baseUrl}${r.path}`, { signal: AbortSignal.timeout(60_000) });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
    };
    try {
      out.push({ key: r.key, label: r.label, timing: await timeCalls(call, o.storeWarmupCalls, o.storeCalls) });
    } catch (e) {
      out.push({ key: r.key, label: r.label, timing: null, error: (e as Error).message });
    }
  }
  return out;
}

async function oneLoad(kind: StoreKind, seconds: number, o: BenchOptions, primary: Server, shadow: Server, log: Log): Promise<GrowthRun> {
  const pg = kind === 'postgres' ? await createBenchDatabase(o.storePgUrl) : undefined;
  const sd = await startShadowDiff(primary, shadow, pg ? { db: pg.url } : {});
  try {
    log(`  ${kind}, ${seconds} s flat out: ${sd.url} (report ${sd.reportUrl})`);
    const wrk = await runWrk({ url: sd.url, connections: o.connections, threads: o.threads, seconds });
    const settled = await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    const stored = settled.summary.compared + settled.summary.skipped;
    log(`    ${wrk.rps.toFixed(0)} req/s; ${stored} stored, ${settled.settled ? 'settled' : 'NOT settled'} after ${(settled.drainMs / 1000).toFixed(1)} s of drain`);
    return { seconds, wrk, settled, stored, routes: await timeHttp(sd.reportUrl, o) };
  } catch (error) {
    throw new Error(`${(error as Error).message}; shadow-diff's last output:\n${sd.child.output().slice(-3000)}`, { cause: error });
  } finally {
    await sd.stop();
    await pg?.drop().catch((e: Error) => log(`  could not drop ${pg.name}: ${e.message}`));
  }
}

export async function storeGrowth(o: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<GrowthKindResult[]> {
  const primary = await startUpstream('primary', 0);
  const shadow = await startUpstream('shadow', 0);
  const results: GrowthKindResult[] = [];
  try {
    for (const kind of o.storeKinds) {
      const runs: GrowthRun[] = [];
      try {
        for (const seconds of o.growthSeconds) runs.push(await oneLoad(kind, seconds, o, primary, shadow, log));
        results.push({ kind, seconds: o.growthSeconds, runs });
      } catch (error) {
        log(`  ${kind}: ${(error as Error).stack ?? String(error)}`);
        results.push({ kind, seconds: o.growthSeconds, runs, error: (error as Error).message.split('\n')[0] ?? 'failed' });
      }
    }
    return results;
  } finally {
    await Promise.all([primary.stop(), shadow.stop()]);
  }
}

/**
 * The target: after the longest load each route's p50 is no more than 1.2 × its p50 after the
 * shortest, plus 1 ms (a loopback HTTP call's timer noise). Null when there is nothing to compare.
 */
export function growthHeld(runs: readonly GrowthRun[]): { met: boolean | null; worst: { label: string; short: number; long: number } | null } {
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (!first || !last || first === last) return { met: null, worst: null };
  let met = true;
  let worst: { label: string; short: number; long: number; ratio: number } | null = null;
  for (const r of last.routes) {
    const short = first.routes.find((x) => x.key === r.key)?.timing?.p50Ms;
    const long = r.timing?.p50Ms;
    if (short === undefined || long === undefined) {
      met = false;
      continue;
    }
    if (long > short * 1.2 + 1) met = false;
    const ratio = long / short;
    if (!worst || ratio > worst.ratio) worst = { label: r.label, short, long, ratio };
  }
  return { met, worst: worst && { label: worst.label, short: worst.short, long: worst.long } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(JSON.stringify(await storeGrowth(benchOptions()), (k, v) => (k === 'raw' ? undefined : v), 2));
  } finally {
    await stopAll();
    removeTempDirs();
  }
}
