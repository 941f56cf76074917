/**
 * End to end at a sustained, fixed rate: `shadow-diff start` in front of a fast primary and a fast
 * shadow, --sustained-rate requests per second for --sustained-seconds; the backlog (pairs sampled
 * but not yet compared, skipped or dropped) is sampled every few seconds during the load, and after
 * it stops the time the backlog takes to drain is measured.
 *
 *   node --import tsx bench/sustained.ts [--sustained-seconds 60] [--sustained-rate 500]
 *
 * The load is paced open-loop with undici (wrk2 is not available, and wrk's Lua delay() paces
 * each connection after its previous response, so its rate falls when the latency grows): request i
 * is due at start + i / rate, whatever happened to the previous ones, and its latency is counted
 * from the moment it was due, so a stall of the ingress shows in the latency instead of lowering
 * the rate (no coordinated omission).
 */
import { Pool } from 'undici';
import { stopAll, treeCpuSeconds } from './support/children.js';
import { watchOtherLoad } from './support/machine.js';
import { benchOptions, type BenchOptions } from './support/options.js';
import { latencyStats, pace, perSecond, type BacklogSample, type SecondStats } from './support/pace.js';
import {
  ingressCounts,
  removeTempDirs,
  reportSummary,
  sampledOf,
  startShadowDiff,
  startUpstream,
  storeAccounted,
  waitSettled,
  type Settled,
} from './support/servers.js';

export interface SustainedResult {
  rate: number;
  seconds: number;
  /** Requests sent, answered 200, failed (status or network), and not sent because the client bound was reached. */
  sent: number;
  ok: number;
  failed: number;
  notSent: number;
  /** Latency from the moment each request was due to its last byte, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: BacklogSample[];
  perSecond: SecondStats[];
  /** Backlog when the load stopped (and its last requests were answered). */
  backlogAtEnd: number;
  /** How long one /api/v1/summary call took on the run's store after the load, ms. */
  summaryMs: number;
  /** From the end of the load until compared + skipped + dropped = sampled, ms. */
  drainMs: number;
  settled: Settled;
  /** Cores the shadow-diff process used during the load. */
  proxyCores: number;
  otherCores: number;
}

export async function sustained(o: BenchOptions, log: (l: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<SustainedResult> {
  const primary = await startUpstream('primary', 0);
  const shadow = await startUpstream('shadow', 0);
  const sd = await startShadowDiff(primary, shadow);
  const pool = new Pool(sd.url, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    log(`  shadow-diff ${sd.url}: ${o.sustainedRate} req/s for ${o.sustainedSeconds} s (after ${o.warmupSeconds} s of warm-up)`);
    if (o.warmupSeconds > 0) {
      await pace(pool, o.sustainedRate, o.warmupSeconds, null, log);
      await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    }
    const cpuBefore = treeCpuSeconds(sd.child.pid);
    const others = watchOtherLoad();
    // During the load the store is read directly (read only): the summary API runs on the
    // ingress's event loop and would add its own stall to the latency being measured.
    const sample = async () => {
      const t0 = performance.now();
      const sampled = sampledOf(await ingressCounts(sd));
      const accounted = storeAccounted(sd);
      return { sampled, accounted, backlog: Math.max(0, sampled - accounted), pollMs: performance.now() - t0 };
    };
    const p = await pace(pool, o.sustainedRate, o.sustainedSeconds, sample, log);
    const otherCores = others.stop().cores;
    const proxyCores = (treeCpuSeconds(sd.child.pid) - cpuBefore) / ((p.endedAt - p.startedAt) / 1000);
    const end = await sample();
    // One summary call after the load, timed: the report API shares the ingress's process.
    const t0 = performance.now();
    await reportSummary(sd);
    const summaryMs = performance.now() - t0;
    const settled = await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    const drainMs = performance.now() - p.endedAt;
    const latency = latencyStats(p.latencies);
    log(`    sent ${p.sent}, ok ${p.ok}, failed ${p.failed}; backlog at end ${end.backlog}; drained in ${(drainMs / 1000).toFixed(2)} s`);
    return {
      rate: o.sustainedRate,
      seconds: o.sustainedSeconds,
      sent: p.sent,
      ok: p.ok,
      failed: p.failed,
      notSent: p.notSent,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      maxMs: latency.maxMs,
      samples: p.samples,
      perSecond: perSecond(p.latencies, o.sustainedRate),
      backlogAtEnd: end.backlog,
      summaryMs,
      drainMs,
      settled,
      proxyCores,
      otherCores,
    };
  } finally {
    await pool.close().catch(() => undefined);
    await sd.stop();
    await Promise.all([primary.stop(), shadow.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const r = await sustained(benchOptions());
    const s = r.settled.summary;
    console.log(
      `${r.rate} req/s × ${r.seconds} s: sent ${r.sent}, ok ${r.ok}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; ` +
        `sampled ${r.settled.sampled}, compared ${s.compared}, skipped ${s.skipped}, dropped ${s.dropped}; backlog at end ${r.backlogAtEnd}, drain ${(r.drainMs / 1000).toFixed(2)} s`,
    );
    console.log(r.samples.map((x) => `${x.at.toFixed(0)}s: ${x.backlog} (${x.pollMs.toFixed(0)} ms)`).join(', '));
    console.log(r.perSecond.map((x) => `${x.second}s: ${x.over10ms} > 10 ms, max ${x.maxMs.toFixed(0)} ms`).join('\n'));
  } finally {
    await stopAll();
    removeTempDirs();
  }
}
