/**
 * HTTP throughput, side by side, with wrk: the primary directly (the ceiling); nginx with `mirror`
 * and nginx with a plain `proxy_pass` (one worker each); `shadow-diff start` (embedded queue, 100 %
 * mirroring, comparator running; with `--comparator-threads 1` too when the CLI has it);
 * `shadow-diff ingress` on BullMQ with `shadow-diff comparator` processes of their own; the
 * ingress with mirroring off (proxy only) at each of --proxy-workers `--ingress-workers`; and the
 * slow-shadow runs. Every upstream is a node:http server in a process of its own
 * (bench/upstream-server.ts); everything listens on 127.0.0.1.
 *
 *   node --import tsx bench/http-throughput.ts [--seconds 10 --connections 32 --threads 2 ...]
 *
 * For the shadow-diff runs it also reads, after the load, what the ingress sampled (admin port
 * /metrics) and what the store accounts for (report API /api/v1/summary, or the store file when
 * there is no report API), until they agree. A setup whose flag the CLI does not take (yet) is
 * skipped with a note (bench/support/cli-flags.ts).
 */
import { join } from 'node:path';
import { randomQueuePrefix, queueBacklog, removeQueueKeys } from './support/bullmq-keys.js';
import { stopAll, treeCpuSeconds, type Child } from './support/children.js';
import { hasFlag } from './support/cli-flags.js';
import { watchOtherLoad } from './support/machine.js';
import { benchOptions, type BenchOptions } from './support/options.js';
import {
  accountedOf,
  ingressCounts,
  removeTempDirs,
  sampledOf,
  startComparatorProcess,
  startIngress,
  startNginx,
  startShadowDiff,
  startUpstream,
  storeTotals,
  tempDir,
  upstreamStats,
  waitSettled,
  waitStored,
  type QueueTarget,
  type Server,
  type Settled,
  type UpstreamStats,
} from './support/servers.js';
import { runWrk, type WrkResult } from './support/wrk.js';

export type SetupKey =
  | 'primary'
  | 'nginx'
  | 'nginx-plain'
  | 'shadow-diff'
  | 'shadow-diff-threads-1'
  | 'bullmq'
  | `ingress-proxy-${number}`
  | 'nginx-slow'
  | 'shadow-diff-slow'
  | 'shadow-diff-slow-full'
  | 'shadow-diff-no-mirror';

export interface SetupResult {
  key: SetupKey;
  label: string;
  /** The nginx row this one is compared with (mirror, plain proxy_pass, or mirror to the slow shadow); null for nginx and the primary. */
  baseline: SetupKey | null;
  wrk: WrkResult;
  /** Cores (CPU seconds per second) used during the load by the proxy (nginx master+worker, or the shadow-diff process). */
  proxyCores: number | null;
  /** Proxy CPU per request served, microseconds (during the load only). */
  proxyUsPerRequest: number | null;
  /** Cores used by the primary and the shadow servers during the load. */
  upstreamCores: { primary: number; shadow: number };
  /** Cores used during the load by the setup's other processes (the BullMQ setup's comparators); null when it has none. */
  sideCores: number | null;
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
  /** The BullMQ setup only: its comparator processes and its queue in Redis. */
  bullmq?: {
    comparators: number;
    /** Cores the comparator processes used during the load (not in proxyCores): sideCores. */
    comparatorCores: number;
    /** Jobs in the queue (waiting, active, delayed) when the load stopped, as BullMQ counts them. */
    queueBacklogAtEnd: number;
    /** Keys removed under the setup's random prefix after the run. */
    keysRemoved: number;
  };
}

/** A setup the run left out, and why. */
export interface SkippedSetup {
  label: string;
  reason: string;
}

export interface HttpResult {
  rows: SetupResult[];
  skipped: SkippedSetup[];
}

type Log = (line: string) => void;

const delta = (a: UpstreamStats, b: UpstreamStats): UpstreamStats => ({ connections: b.connections - a.connections, requests: b.requests - a.requests });

/** One measured wrk run against url, with the CPU of the proxy and the upstreams around it. */
async function measure(
  o: BenchOptions,
  key: SetupKey,
  label: string,
  baseline: SetupKey | null,
  url: string,
  proxy: Child | null,
  primary: Server,
  shadow: Server,
  side: Child[] = [],
): Promise<SetupResult> {
  const cpu = () => ({
    proxy: proxy ? treeCpuSeconds(proxy.pid) : 0,
    primary: treeCpuSeconds(primary.child.pid),
    shadow: treeCpuSeconds(shadow.child.pid),
    side: side.reduce((a, c) => a + treeCpuSeconds(c.pid), 0),
  });
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
    baseline,
    wrk,
    proxyCores: proxy ? cores('proxy') : null,
    proxyUsPerRequest: proxy ? ((after.proxy - before.proxy) * 1e6) / wrk.requests : null,
    upstreamCores: { primary: cores('primary'), shadow: cores('shadow') },
    sideCores: side.length > 0 ? cores('side') : null,
    otherCores,
    primary: delta(statsBefore.primary, statsAfter.primary),
    shadow: delta(statsBefore.shadow, statsAfter.shadow),
  };
}

async function warmUp(o: BenchOptions, url: string): Promise<void> {
  if (o.warmupSeconds > 0) await runWrk({ url, connections: o.connections, threads: o.threads, seconds: o.warmupSeconds });
}

async function viaNginx(o: BenchOptions, key: SetupKey, label: string, primary: Server, shadow: Server, log: Log, mirror = true): Promise<SetupResult> {
  const nginx = await startNginx(primary, shadow, { mirror });
  try {
    log(`  ${label}: ${nginx.url}`);
    await warmUp(o, nginx.url);
    const r = await measure(o, key, label, null, nginx.url, nginx.child, primary, shadow);
    log(`    ${r.wrk.rps.toFixed(0)} req/s; shadow saw ${r.shadow.requests} requests on ${r.shadow.connections} new connections`);
    return r;
  } finally {
    await nginx.stop();
  }
}

/** A shadow-diff setup once it runs: where to load it, whose CPU is the proxy's, and how to read its accounting. */
interface Mirroring {
  url: string;
  proxy: Child;
  /** Processes of the setup besides the proxy (the BullMQ setup's comparators): their CPU is counted apart. */
  side?: Child[];
  settle(timeoutMs: number): Promise<Settled>;
  /** sampled − accounted now. */
  backlog(): Promise<number>;
}

/** Warm-up, drain, the measured load, then the drain of what it left; the accounting from both ends. */
async function measureMirroring(o: BenchOptions, key: SetupKey, label: string, baseline: SetupKey, m: Mirroring, primary: Server, shadow: Server, log: Log): Promise<SetupResult> {
  await warmUp(o, m.url);
  // Start the measured run with an empty backlog: the warm-up's pairs are compared first.
  await m.settle(o.drainTimeoutSeconds * 1000);
  const cpuBefore = treeCpuSeconds(m.proxy.pid);
  const r = await measure(o, key, label, baseline, m.url, m.proxy, primary, shadow, m.side);
  const backlogAtEnd = await m.backlog();
  log(`    ${r.wrk.rps.toFixed(0)} req/s; backlog ${backlogAtEnd} when the load stopped; draining…`);
  const settled = await m.settle(o.drainTimeoutSeconds * 1000);
  const cpuDrained = treeCpuSeconds(m.proxy.pid);
  const s = settled.summary;
  log(`    ${settled.settled ? 'settled' : 'NOT settled'} in ${(settled.drainMs / 1000).toFixed(1)} s: sampled ${settled.sampled}, compared ${s.compared}, skipped ${s.skipped}, dropped ${s.dropped}`);
  return { ...r, accounting: { backlogAtEnd, settled, usPerRequestWithDrain: ((cpuDrained - cpuBefore) * 1e6) / r.wrk.requests } };
}

async function viaShadowDiff(
  o: BenchOptions,
  key: SetupKey,
  label: string,
  baseline: SetupKey,
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
    const backlog = async () => sampledOf(await ingressCounts(sd)) - accountedOf(storeTotals(sd));
    return await measureMirroring(o, key, label, baseline, { url: sd.url, proxy: sd.child, settle: (ms) => waitSettled(sd, ms), backlog }, primary, shadow, log);
  } finally {
    await sd.stop();
  }
}

/**
 * `shadow-diff ingress` publishing to BullMQ on Redis, with `comparators` `shadow-diff comparator`
 * processes of their own writing one temporary SQLite file; the ingress runs no report API, so the
 * accounting reads that file. A random key prefix; its keys are removed after.
 */
async function viaBullmq(
  o: BenchOptions,
  key: SetupKey,
  label: string,
  baseline: SetupKey,
  primary: Server,
  shadow: Server,
  log: Log,
  opts: { comparators: number; extraArgs?: string[]; profile?: boolean },
): Promise<SetupResult> {
  const queue: QueueTarget = { redis: o.redisUrl, prefix: randomQueuePrefix() };
  const db = join(tempDir('bullmq'), 'store.db');
  const comparators: Child[] = [];
  let ingress: Awaited<ReturnType<typeof startIngress>> | null = null;
  let result: SetupResult;
  try {
    // The comparators first: the first one creates the store the accounting reads.
    for (let i = 0; i < opts.comparators; i++) comparators.push(await startComparatorProcess(`shadow-diff comparator ${i + 1}`, queue, db));
    const nodeArgs = opts.profile && o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.profileDir, key)}`] : [];
    ingress = await startIngress(primary, shadow, queue, { extraArgs: opts.extraArgs ?? [], nodeArgs });
    const target = { adminUrl: ingress.adminUrl, db };
    log(`  ${label}: ${ingress.url} (admin ${ingress.adminUrl}; Redis ${queue.redis}, prefix ${queue.prefix}; ${opts.comparators} comparator process(es) on ${db})`);
    let queueBacklogAtEnd = NaN;
    const backlog = async () => {
      queueBacklogAtEnd = await queueBacklog(queue).catch(() => NaN);
      return sampledOf(await ingressCounts(target)) - accountedOf(storeTotals(target));
    };
    const m: Mirroring = { url: ingress.url, proxy: ingress.child, side: comparators, settle: (ms) => waitStored(target, ms), backlog };
    const r = await measureMirroring(o, key, label, baseline, m, primary, shadow, log);
    result = { ...r, bullmq: { comparators: opts.comparators, comparatorCores: r.sideCores ?? NaN, queueBacklogAtEnd, keysRemoved: 0 } };
  } finally {
    await ingress?.stop();
    await Promise.all(comparators.map((c) => c.stop(15_000)));
  }
  const removed = await removeQueueKeys(queue).catch((e: Error) => {
    log(`    could not remove the Redis keys under ${queue.prefix}: ${e.message}`);
    return NaN;
  });
  log(`    removed ${removed} Redis keys under ${queue.prefix}:`);
  return { ...result, bullmq: { ...(result.bullmq as NonNullable<SetupResult['bullmq']>), keysRemoved: removed } };
}

/** Runs a setup only when the CLI takes its flag; otherwise records why it was left out. */
async function ifFlag(
  command: string,
  flag: string,
  label: string,
  skipped: SkippedSetup[],
  log: Log,
  run: () => Promise<SetupResult>,
): Promise<SetupResult | null> {
  if (hasFlag(command, flag)) return run();
  const reason = `\`shadow-diff ${command} --help\` lists no ${flag}: not in this build of the CLI`;
  log(`  ${label}: skipped (${reason})`);
  skipped.push({ label, reason });
  return null;
}

export async function httpThroughput(o: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<HttpResult> {
  const primary = await startUpstream('primary', 0);
  const fast = await startUpstream('shadow', 0);
  const slow = await startUpstream('slow shadow', o.slowMs);
  const rows: SetupResult[] = [];
  const skipped: SkippedSetup[] = [];
  const add = (r: SetupResult | null) => void (r && rows.push(r));
  try {
    log(`  primary ${primary.url}, shadow ${fast.url}, slow shadow ${slow.url} (${o.slowMs} ms)`);
    await warmUp(o, primary.url);
    const direct = await measure(o, 'primary', 'primary directly (ceiling)', null, primary.url, null, primary, fast);
    log(`  primary directly: ${direct.wrk.rps.toFixed(0)} req/s`);
    add(direct);
    add(await viaNginx(o, 'nginx', 'nginx mirror', primary, fast, log));
    add(await viaNginx(o, 'nginx-plain', 'nginx proxy_pass (no mirror)', primary, fast, log, false));
    add(await viaShadowDiff(o, 'shadow-diff', 'shadow-diff start', 'nginx', primary, fast, log, [], true));
    const threads1 = 'shadow-diff start, --comparator-threads 1';
    add(await ifFlag('start', '--comparator-threads', threads1, skipped, log, () => viaShadowDiff(o, 'shadow-diff-threads-1', threads1, 'nginx', primary, fast, log, ['--comparator-threads', '1'])));
    const bullmq = `shadow-diff ingress on BullMQ + ${o.bullmqComparators} shadow-diff comparator process${o.bullmqComparators > 1 ? 'es' : ''}`;
    add(await viaBullmq(o, 'bullmq', bullmq, 'nginx', primary, fast, log, { comparators: o.bullmqComparators }));
    for (const n of o.proxyWorkers) {
      const label = `shadow-diff ingress, --mirror-percent 0 (proxy only)${n > 1 ? `, --ingress-workers ${n}` : ''}`;
      // One worker is the default: the flag is passed only past it, so the row runs on a CLI without it.
      const run = () =>
        viaBullmq(o, `ingress-proxy-${n}`, label, 'nginx-plain', primary, fast, log, {
          comparators: 0,
          extraArgs: ['--mirror-percent', '0', ...(n > 1 ? ['--ingress-workers', String(n)] : [])],
          profile: n === 1,
        });
      add(n > 1 ? await ifFlag('ingress', '--ingress-workers', label, skipped, log, run) : await run());
    }
    add(await viaNginx(o, 'nginx-slow', `nginx mirror, ${o.slowMs} ms shadow`, primary, slow, log));
    add(await viaShadowDiff(o, 'shadow-diff-slow', `shadow-diff start, ${o.slowMs} ms shadow`, 'nginx-slow', primary, slow, log));
    if (o.slowFullInFlight > 0) {
      const label = `shadow-diff start, ${o.slowMs} ms shadow, --shadow-max-in-flight ${o.slowFullInFlight}`;
      add(await viaShadowDiff(o, 'shadow-diff-slow-full', label, 'nginx-slow', primary, slow, log, ['--shadow-max-in-flight', String(o.slowFullInFlight)]));
    }
    if (o.diagnostics) {
      add(await viaShadowDiff(o, 'shadow-diff-no-mirror', 'shadow-diff start, --mirror-percent 0 (proxy only)', 'nginx-plain', primary, fast, log, ['--mirror-percent', '0'], true));
    }
    return { rows, skipped };
  } finally {
    await Promise.all([primary.stop(), fast.stop(), slow.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { rows, skipped } = await httpThroughput(benchOptions());
    for (const r of rows) console.log(`${r.label}: ${r.wrk.rps.toFixed(0)} req/s, p50 ${r.wrk.p50Ms} ms, p99 ${r.wrk.p99Ms} ms`);
    for (const s of skipped) console.log(`${s.label}: skipped, ${s.reason}`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
}
