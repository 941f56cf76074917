/**
 * HTTP throughput, side by side, with wrk: the primary directly (the ceiling), nginx with `mirror`
 * and `shadow-diff start` (embedded queue, 100 % mirroring, comparator running), each with a fast
 * shadow and with a shadow that answers after --slow-ms. Every upstream is a node:http server in a
 * process of its own (bench/upstream-server.ts); everything listens on 127.0.0.1.
 *
 *   node --import tsx bench/http-throughput.ts [--seconds 10 --connections 32 --threads 2 ...]
 *
 * For the shadow-diff runs it also reads, after the load, what the ingress sampled (admin port
 * /metrics) and what the store accounts for (report API /api/v1/summary), until they agree.
 */
import { join } from 'node:path';
import { stopAll, treeCpuSeconds, type Child } from './support/children.js';
import { watchOtherLoad } from './support/machine.js';
import { benchOptions, type BenchOptions } from './support/options.js';
import {
  accountedOf,
  ingressCounts,
  removeTempDirs,
  reportSummary,
  sampledOf,
  startNginx,
  startShadowDiff,
  startUpstream,
  upstreamStats,
  waitSettled,
  type Server,
  type Settled,
  type UpstreamStats,
} from './support/servers.js';
import { runWrk, type WrkResult } from './support/wrk.js';

export type SetupKey = 'primary' | 'nginx' | 'shadow-diff' | 'nginx-slow' | 'shadow-diff-slow' | 'shadow-diff-slow-full' | 'shadow-diff-no-mirror';

export interface SetupResult {
  key: SetupKey;
  label: string;
  wrk: WrkResult;
  /** Cores (CPU seconds per second) used during the load by the proxy (nginx master+worker, or the shadow-diff process). */
  proxyCores: number | null;
  /** Proxy CPU per request served, microseconds (during the load only). */
  proxyUsPerRequest: number | null;
  /** Cores used by the primary and the shadow servers during the load. */
  upstreamCores: { primary: number; shadow: number };
  /** Cores used by processes outside the benchmark during the load (a shared machine's noise). */
  otherCores: number;
  /** Requests and new connections the primary and the shadow saw during the load. */
  primary: UpstreamStats;
  shadow: UpstreamStats;
  /** shadow-diff only: pairs sampled and how the store accounts for them. */
  accounting?: {
    /** Backlog (sampled − accounted) when wrk stopped. */
    backlogAtEnd: number;
    settled: Settled;
    /** Proxy CPU per request from the start of the load to the end of the drain: comparisons included. */
    usPerRequestWithDrain: number;
  };
}

type Log = (line: string) => void;

const delta = (a: UpstreamStats, b: UpstreamStats): UpstreamStats => ({ connections: b.connections - a.connections, requests: b.requests - a.requests });

/** One measured wrk run against url, with the CPU of the proxy and the upstreams around it. */
async function measure(o: BenchOptions, key: SetupKey, label: string, url: string, proxy: Child | null, primary: Server, shadow: Server): Promise<SetupResult> {
  const cpu = () => ({ proxy: proxy ? treeCpuSeconds(proxy.pid) : 0, primary: treeCpuSeconds(primary.child.pid), shadow: treeCpuSeconds(shadow.child.pid) });
  const stats = async () => ({ primary: await upstreamStats(primary), shadow: await upstreamStats(shadow) });
  const statsBefore = await stats();
  const before = cpu();
  const others = watchOtherLoad();
  const wrk = await runWrk({ url, connections: o.connections, threads: o.threads, seconds: o.seconds });
  const otherCores = others.stop(wrk.cpuSeconds).cores;
  const after = cpu();
  const statsAfter = await stats();
  const cores = (k: keyof typeof before) => (after[k] - before[k]) / wrk.seconds;
  return {
    key,
    label,
    wrk,
    proxyCores: proxy ? cores('proxy') : null,
    proxyUsPerRequest: proxy ? ((after.proxy - before.proxy) * 1e6) / wrk.requests : null,
    upstreamCores: { primary: cores('primary'), shadow: cores('shadow') },
    otherCores,
    primary: delta(statsBefore.primary, statsAfter.primary),
    shadow: delta(statsBefore.shadow, statsAfter.shadow),
  };
}

async function warmUp(o: BenchOptions, url: string): Promise<void> {
  if (o.warmupSeconds > 0) await runWrk({ url, connections: o.connections, threads: o.threads, seconds: o.warmupSeconds });
}

async function viaNginx(o: BenchOptions, key: SetupKey, label: string, primary: Server, shadow: Server, log: Log): Promise<SetupResult> {
  const nginx = await startNginx(primary, shadow);
  try {
    log(`  ${label}: ${nginx.url}`);
    await warmUp(o, nginx.url);
    const r = await measure(o, key, label, nginx.url, nginx.child, primary, shadow);
    log(`    ${r.wrk.rps.toFixed(0)} req/s; shadow saw ${r.shadow.requests} requests on ${r.shadow.connections} new connections`);
    return r;
  } finally {
    await nginx.stop();
  }
}

async function viaShadowDiff(
  o: BenchOptions,
  key: SetupKey,
  label: string,
  primary: Server,
  shadow: Server,
  log: Log,
  extraArgs: string[] = [],
  profile = false,
): Promise<SetupResult> {
  const nodeArgs = profile && o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.profileDir, key)}`] : [];
  const sd = await startShadowDiff(primary, shadow, { extraArgs, nodeArgs });
  try {
    log(`  ${label}: ${sd.url} (report ${sd.reportUrl}, admin ${sd.adminUrl})`);
    await warmUp(o, sd.url);
    // Start the measured run with an empty backlog: the warm-up's pairs are compared first.
    await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    const cpuBefore = treeCpuSeconds(sd.child.pid);
    const r = await measure(o, key, label, sd.url, sd.child, primary, shadow);
    const [counts, summary] = [await ingressCounts(sd), await reportSummary(sd)];
    const backlogAtEnd = sampledOf(counts) - accountedOf(summary);
    log(`    ${r.wrk.rps.toFixed(0)} req/s; backlog ${backlogAtEnd} when the load stopped; draining…`);
    const settled = await waitSettled(sd, o.drainTimeoutSeconds * 1000);
    const cpuDrained = treeCpuSeconds(sd.child.pid);
    const s = settled.summary;
    log(`    ${settled.settled ? 'settled' : 'NOT settled'} in ${(settled.drainMs / 1000).toFixed(1)} s: sampled ${settled.sampled}, compared ${s.compared}, skipped ${s.skipped}, dropped ${s.dropped}`);
    return { ...r, accounting: { backlogAtEnd, settled, usPerRequestWithDrain: ((cpuDrained - cpuBefore) * 1e6) / r.wrk.requests } };
  } finally {
    await sd.stop();
  }
}

export async function httpThroughput(o: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<SetupResult[]> {
  const primary = await startUpstream('primary', 0);
  const fast = await startUpstream('shadow', 0);
  const slow = await startUpstream('slow shadow', o.slowMs);
  const results: SetupResult[] = [];
  try {
    log(`  primary ${primary.url}, shadow ${fast.url}, slow shadow ${slow.url} (${o.slowMs} ms)`);
    await warmUp(o, primary.url);
    const direct = await measure(o, 'primary', 'primary directly (ceiling)', primary.url, null, primary, fast);
    log(`  primary directly: ${direct.wrk.rps.toFixed(0)} req/s`);
    results.push(direct);
    results.push(await viaNginx(o, 'nginx', 'nginx mirror', primary, fast, log));
    results.push(await viaShadowDiff(o, 'shadow-diff', 'shadow-diff start', primary, fast, log, [], true));
    results.push(await viaNginx(o, 'nginx-slow', `nginx mirror, ${o.slowMs} ms shadow`, primary, slow, log));
    results.push(await viaShadowDiff(o, 'shadow-diff-slow', `shadow-diff start, ${o.slowMs} ms shadow`, primary, slow, log));
    if (o.slowFullInFlight > 0) {
      const label = `shadow-diff start, ${o.slowMs} ms shadow, --shadow-max-in-flight ${o.slowFullInFlight}`;
      results.push(await viaShadowDiff(o, 'shadow-diff-slow-full', label, primary, slow, log, ['--shadow-max-in-flight', String(o.slowFullInFlight)]));
    }
    if (o.diagnostics) {
      results.push(await viaShadowDiff(o, 'shadow-diff-no-mirror', 'shadow-diff start, --mirror-percent 0 (proxy only)', primary, fast, log, ['--mirror-percent', '0'], true));
    }
    return results;
  } finally {
    await Promise.all([primary.stop(), fast.stop(), slow.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const results = await httpThroughput(benchOptions());
    for (const r of results) console.log(`${r.label}: ${r.wrk.rps.toFixed(0)} req/s, p50 ${r.wrk.p50Ms} ms, p99 ${r.wrk.p99Ms} ms`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
}
