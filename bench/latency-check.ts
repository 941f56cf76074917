/**
 * Latency at a fixed load: --latency-rate requests per second (1,000 by default, the rate of the
 * target) for --latency-seconds, paced open loop (bench/support/pace.ts: each latency counts from
 * the moment the request was due), against the primary directly, against `shadow-diff start` (100 %
 * mirroring, comparator running) and, for reference, nginx with `mirror`. The target: the client's
 * p99 through `start` within 1 ms of the primary's direct p99 (bench/targets.ts).
 *
 *   node --import tsx bench/latency-check.ts [--latency-rate 1000 --latency-seconds 10]
 */
import { Pool } from 'undici';
import { stopAll, treeCpuSeconds } from './support/children.js';
import { watchOtherLoad } from './support/machine.js';
import { benchOptions, type BenchOptions } from './support/options.js';
import { latencyStats, pace } from './support/pace.js';
import { removeTempDirs, startNginx, startShadowDiff, startUpstream, waitSettled, type Server } from './support/servers.js';

export interface LatencyRow {
  label: string;
  rate: number;
  sent: number;
  ok: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Cores used by the process under test (the primary for the direct row). */
  cores: number;
  otherCores: number;
}

export async function latencyCheck(o: BenchOptions, log: (l: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<LatencyRow[]> {
  const run = async (label: string, server: Server): Promise<LatencyRow> => {
    const pool = new Pool(server.url, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      if (o.warmupSeconds > 0) await pace(pool, o.latencyRate, o.warmupSeconds, null, log);
      const before = treeCpuSeconds(server.child.pid);
      const others = watchOtherLoad();
      const p = await pace(pool, o.latencyRate, o.latencySeconds, null, log);
      const seconds = (p.endedAt - p.startedAt) / 1000;
      const row = { label, rate: o.latencyRate, sent: p.sent, ok: p.ok, ...latencyStats(p.latencies), cores: (treeCpuSeconds(server.child.pid) - before) / seconds, otherCores: others.stop().cores };
      log(`  ${label}: ${row.ok}/${row.sent} ok, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms`);
      return row;
    } finally {
      await pool.close().catch(() => undefined);
    }
  };
  const primary = await startUpstream('primary', 0);
  const shadow = await startUpstream('shadow', 0);
  const rows: LatencyRow[] = [];
  try {
    rows.push(await run('primary directly', primary));
    const sd = await startShadowDiff(primary, shadow);
    try {
      rows.push(await run('shadow-diff start', sd));
      await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    } finally {
      await sd.stop();
    }
    const nginx = await startNginx(primary, shadow);
    try {
      rows.push(await run('nginx mirror', nginx));
    } finally {
      await nginx.stop();
    }
    return rows;
  } finally {
    await Promise.all([primary.stop(), shadow.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const o: BenchOptions = benchOptions();
    for (const r of await latencyCheck(o)) console.log(`${r.label}: ${r.rate} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
}
