/**
 * `npm run bench`: every benchmark in one run, side by side, printed as the markdown tables of
 * docs/benchmarks.md, then checked against the performance targets. Ratios measured in one run are
 * what count; absolute numbers vary between machines.
 *
 *   npm run bench [-- --seconds 10 --connections 32 --threads 2 --sustained-seconds 60 ...]
 *   npm run bench -- --only store [--store-sizes 10000,1000000,10000000 --store-kinds sqlite,postgres --growth-seconds 3,60]
 *
 * Every setting is also a BENCH_* environment variable (bench/support/options.ts). Progress goes to
 * stderr, the report to stdout. Every child process is stopped on the way out, error or not.
 */
import { ensureHttpTools } from './support/tools.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareThroughput } from './compare-throughput.js';
import { httpThroughput, type HttpResult, type SetupResult } from './http-throughput.js';
import { latencyCheck, type LatencyRow } from './latency-check.js';
import { pipelineThroughput, type PipelineResult } from './pipeline-throughput.js';
import { busiestProfile, printSummary } from './profile-summary.js';
import { sustained, type SustainedResult } from './sustained.js';
import { killAllNow, sleep, stopAll } from './support/children.js';
import { machineInfo, watchOtherLoad } from './support/machine.js';
import { benchOptions, commandLine, type BenchOptions } from './support/options.js';
import { removeTempDirs, ROOT } from './support/servers.js';
import { storeBench, type StoreBenchResult } from './store.js';
import { storeGrowth, type GrowthKindResult } from './store-growth.js';
import { storeSection, storeVerdicts } from './store-report.js';
import { writeSection } from '../libs/config/docs-section.js';
import { queueDropsOf } from './support/servers.js';
import { byKey, keptUp, targetVerdicts } from './targets.js';
import type { Verdict } from './store-report.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
/** What the run prints, kept too: docs/benchmarks.md's `bench` section is this report. */
const printed: string[] = [];
const out = (line = '') => {
  printed.push(line);
  process.stdout.write(`${line}\n`);
};

const f0 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(0));
const f1 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(1));
const f2 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(2));
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '–');
const signedPct = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${(n * 100).toFixed(0)}%` : '–');

interface Results {
  compare?: ReturnType<typeof compareThroughput>;
  pipeline?: PipelineResult[];
  http?: HttpResult;
  sustained?: SustainedResult;
  latency?: LatencyRow[];
  store?: StoreBenchResult;
  growth?: GrowthKindResult[];
}

/** The commit measured, and whether the working tree differed from it (others may be editing). */
function codeVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'libs', 'services').split('\n').filter(Boolean).length;
  return `commit ${commit}${dirty > 0 ? ` + uncommitted changes in ${dirty} file(s) of libs/ and services/` : ''}`;
}

/** What the store section of docs/benchmarks.md says about its run. */
function storeHeader(o: BenchOptions): string[] {
  const m = machineInfo();
  return [
    `machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}; node ${m.node}`,
    `date: ${new Date().toISOString()}`,
    `command: ${commandLine()}`,
    `code: ${codeVersion()}`,
    `settings: ${o.storeKinds.join(', ')}; ` +
      (o.only.has('store-seeded') ? `sizes ${o.storeSizes.join(', ')}, batches of ${o.storeBatch}, ${o.storeCalls} calls per route after ${o.storeWarmupCalls}; ` : 'no seeded store; ') +
      (o.only.has('store-growth') ? `growth loads ${o.growthSeconds.join(' s, ')} s (wrk -t ${o.threads} -c ${o.connections})` : 'no growth loads'),
  ];
}

function printHeader(o: BenchOptions): void {
  const m = machineInfo();
  out(`machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}`);
  out(`node ${m.node}; ${m.nginx}; ${m.wrk}`);
  out(`date: ${new Date().toISOString()}`);
  out(`command: ${commandLine()}`);
  out(`code: ${codeVersion()}`);
  out(
    `settings: wrk -t ${o.threads} -c ${o.connections} -d ${o.seconds}s after ${o.warmupSeconds} s of warm-up; slow shadow ${o.slowMs} ms; ` +
      `sustained ${o.sustainedRate} req/s × ${o.sustainedSeconds} s; latency check ${o.latencyRate} req/s × ${o.latencySeconds} s; pipeline scale ${o.pipelineScale}; ` +
      `BullMQ on ${o.redisUrl} with ${o.bullmqComparators} comparator process(es); proxy-only ingress workers ${o.proxyWorkers.join(', ')}`,
  );
  out(`load average at start: ${m.loadavg.map((l) => l.toFixed(2)).join(', ')}`);
}

function printCompare(rows: ReturnType<typeof compareThroughput>): void {
  out('\n## Comparisons per second (bench/compare-throughput.ts)\n');
  out('| payload | bytes | compareExchange /s | bare jsondiffpatch.diff /s | ratio |');
  out('|---|---:|---:|---:|---:|');
  for (const r of rows) out(`| ${r.label} | ${r.bytes} | ${f0(r.pipeline)} | ${f0(r.bare)} | ${pct(r.pipeline / r.bare)} |`);
}

function printPipeline(rows: PipelineResult[]): void {
  out('\n## Comparator through the real pipeline (bench/pipeline-throughput.ts)\n');
  out("Jobs published into the embedded queue, a real comparator (the `start` defaults: the option table's --comparator-concurrency, captures on) writing to SQLite through its batch writer (one `recordBatch` transaction per batch), timed until every one is stored.\n");
  out('"handler before the store": the job handler\'s work up to the SQLite write (payload validation, compareExchange, outcome, redaction, capture record) in a loop; "store write alone": `recordBatch` of the same outcomes, in batches of 256 as the comparator writes them, on a fresh store. "Longest event-loop stall": the longest the event loop went without a turn while the comparator worked through the batch; in `shadow-diff start` the ingress shares that loop.\n');
  out('| payload | bytes | jobs | pipeline /s | handler before the store /s | store write alone /s | compareExchange alone /s | bare jsondiffpatch.diff /s | pipeline / bare | longest event-loop stall |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out(`| ${r.label} | ${r.bytes} | ${r.jobs} | ${f0(r.rate)} | ${f0(r.beforeStore)} | ${f0(r.storeOnly)} | ${f0(r.compareExchange)} | ${f0(r.bare)} | ${pct(r.rate / r.bare)} | ${f0(r.loopStallMaxMs)} ms |`);
  }
}

function printHttp(o: BenchOptions, http: HttpResult): void {
  const rows = http.rows;
  const ceiling = byKey(rows, 'primary')?.wrk.rps ?? NaN;
  out(`\n## HTTP throughput (bench/http-throughput.ts: wrk -t ${o.threads} -c ${o.connections} -d ${o.seconds}s --latency, ~1 KB JSON)\n`);
  out('"vs nginx": against nginx in the same role — `mirror` for the mirroring rows, plain `proxy_pass` for the proxy-only ones, `mirror` to the same slow shadow for the slow ones.\n');
  out('| setup | req/s | vs ceiling | vs nginx | p50 ms | p99 ms | p99 vs nginx | proxy cores | proxy CPU µs/req | primary / shadow server cores | shadow requests (new connections) | other processes, cores |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const nginx = r.baseline ? byKey(rows, r.baseline) : undefined;
    const vs = (a: number, b: number | undefined) => (nginx && b !== undefined ? `${(a / b).toFixed(2)}×` : '–');
    const shadow = r.key === 'primary' ? '–' : `${r.shadow.requests} (${r.shadow.connections})`;
    out(
      `| ${r.label} | ${f0(r.wrk.rps)} | ${pct(r.wrk.rps / ceiling)} | ${vs(r.wrk.rps, nginx?.wrk.rps)} | ${f2(r.wrk.p50Ms)} | ${f2(r.wrk.p99Ms)} | ${vs(r.wrk.p99Ms, nginx?.wrk.p99Ms)} | ${f2(r.proxyCores)} | ${f0(r.proxyUsPerRequest)} | ${f2(r.upstreamCores.primary)} / ${f2(r.upstreamCores.shadow)} | ${shadow} | ${f2(r.otherCores)} |`,
    );
  }
  for (const x of http.skipped) out(`\n${x.label}: not run — ${x.reason}.`);
  const errors = rows.filter((r) => r.wrk.non2xx > 0 || Object.values(r.wrk.socketErrors).some((n) => n > 0));
  for (const r of errors) out(`\n${r.label}: wrk saw ${r.wrk.non2xx} non-2xx responses and socket errors ${JSON.stringify(r.wrk.socketErrors)}`);

  out('\n### Nothing lost: every sampled pair ends compared, skipped or dropped (shadow-diff runs)\n');
  out(
    "Sampled = the ingress's `shadowdiff_ingress_mirrored_total` + its drops at the shadow in-flight bound (admin port `/metrics`); dropped at the queue = its drops at the queue's backlog bound or while the queue was unavailable (counted as mirrored, compared by no one); compared, skipped and dropped from the report API's `/api/v1/summary` (the BullMQ rows, which run no report API: from the store file) once they add up (warm-up included in both).\n",
  );
  out('| setup | sampled | mirrored | dropped at in-flight bound | dropped at the queue | compared | skipped | dropped (store) | accounted | backlog when the load stopped | drain s | CPU µs/req incl. drain |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const a = r.accounting;
    if (!a) continue;
    const s = a.settled.summary;
    const c = a.settled.counts;
    out(
      `| ${r.label} | ${a.settled.sampled} | ${c.mirrored} | ${c.dropped.shadow_in_flight_limit ?? 0} | ${queueDropsOf(c)} | ${s.compared} | ${s.skipped} | ${s.dropped} | ${a.settled.accounted}${a.settled.settled ? '' : ' (NOT settled)'} | ${a.backlogAtEnd} | ${f1(a.settled.drainMs / 1000)} | ${f0(a.usPerRequestWithDrain)} |`,
    );
  }

  const bullmq = rows.filter((r) => r.bullmq && r.bullmq.comparators > 0);
  if (bullmq.length > 0) {
    out('\n### shadow-diff ingress on BullMQ: did the comparators keep up?\n');
    out("Redis at the `--redis-url`, a random `--queue-prefix` per setup (its keys removed after); the comparators write one temporary SQLite file. Kept up: the backlog when the load stopped was at most one second of the load's traffic. \"Ingress CPU µs/req incl. drain\" in the table above is the ingress's alone.\n");
    out('| setup | comparator processes | comparator cores | jobs in the queue when the load stopped | backlog when the load stopped | drain s | kept up | Redis keys removed |');
    out('|---|---:|---:|---:|---:|---:|---|---:|');
    for (const r of bullmq) {
      const b = r.bullmq as NonNullable<SetupResult['bullmq']>;
      const a = r.accounting;
      out(`| ${r.label} | ${b.comparators} | ${f2(b.comparatorCores)} | ${f0(b.queueBacklogAtEnd)} | ${a?.backlogAtEnd ?? '–'} | ${f1((a?.settled.drainMs ?? NaN) / 1000)} | ${keptUp(r) ? 'yes' : 'NO'} | ${f0(b.keysRemoved)} |`);
    }
  }

  out(`\n### What a ${o.slowMs} ms shadow costs\n`);
  out(`| proxy | fast shadow req/s | ${o.slowMs} ms shadow req/s | change | requests the slow shadow received / requests served |`);
  out('|---|---:|---:|---:|---:|');
  const pair = (label: string, fast: SetupResult | undefined, slow: SetupResult | undefined) => {
    if (!fast || !slow) return;
    out(`| ${label} | ${f0(fast.wrk.rps)} | ${f0(slow.wrk.rps)} | ${signedPct(slow.wrk.rps / fast.wrk.rps - 1)} | ${slow.shadow.requests} / ${slow.wrk.requests} |`);
  };
  pair('nginx mirror', byKey(rows, 'nginx'), byKey(rows, 'nginx-slow'));
  pair('shadow-diff start (default --shadow-max-in-flight 256)', byKey(rows, 'shadow-diff'), byKey(rows, 'shadow-diff-slow'));
  pair(`shadow-diff start (--shadow-max-in-flight ${o.slowFullInFlight})`, byKey(rows, 'shadow-diff'), byKey(rows, 'shadow-diff-slow-full'));
}

function printSustained(r: SustainedResult): void {
  const s = r.settled.summary;
  out(`\n## Sustained load, end to end (bench/sustained.ts: ${r.rate} req/s paced open loop for ${r.seconds} s)\n`);
  out('| rate | duration | sent | ok | p50 ms | p99 ms | max ms | sampled | compared | skipped | dropped | largest backlog sampled | backlog when the load stopped | drain s | shadow-diff cores | other processes, cores |');
  out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const largest = Math.max(0, ...r.samples.map((x) => x.backlog));
  out(
    `| ${r.rate} | ${r.seconds} s | ${r.sent} | ${r.ok} | ${f2(r.p50Ms)} | ${f2(r.p99Ms)} | ${f0(r.maxMs)} | ${r.settled.sampled} | ${s.compared} | ${s.skipped} | ${s.dropped} | ${largest} | ${r.backlogAtEnd} | ${f2(r.drainMs / 1000)}${r.settled.settled ? '' : ' (NOT settled)'} | ${f2(r.proxyCores)} | ${f2(r.otherCores)} |`,
  );
  out(`\nbacklog every 5 s (ingress /metrics, then the store file read directly): ${r.samples.map((x) => `${x.at.toFixed(0)} s: ${x.backlog}`).join(', ') || 'none'}`);
  out(`one /api/v1/summary call on the ${s.compared + s.skipped} stored exchanges, after the load: ${f0(r.summaryMs)} ms (on the process that also runs the ingress)`);
  const worst = [...r.perSecond].sort((a, b) => b.maxMs - a.maxMs).slice(0, 5);
  out(`slowest seconds of the load (requests over 10 ms, worst latency): ${worst.map((x) => `${x.second} s: ${x.over10ms}, ${f0(x.maxMs)} ms`).join('; ')}`);
}

function printLatency(rows: LatencyRow[]): void {
  const primary = rows.find((r) => r.label === 'primary directly');
  out(`\n## Latency at a fixed load (bench/latency-check.ts: ${rows[0]?.rate ?? '?'} req/s paced open loop)\n`);
  out('| target | sent | ok | p50 ms | p90 ms | p99 ms | max ms | p99 − primary p99 | cores of the target | other processes, cores |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const d = primary && r !== primary ? `${f2(r.p99Ms - primary.p99Ms)} ms` : '–';
    out(`| ${r.label} | ${r.sent} | ${r.ok} | ${f2(r.p50Ms)} | ${f2(r.p90Ms)} | ${f2(r.p99Ms)} | ${f1(r.maxMs)} | ${d} | ${f2(r.cores)} | ${f2(r.otherCores)} |`);
  }
}

function verdicts(o: BenchOptions, r: Results): Verdict[] {
  const v = targetVerdicts({ slowMs: o.slowMs, slowFullInFlight: o.slowFullInFlight, http: r.http?.rows, skipped: r.http?.skipped, pipeline: r.pipeline, sustained: r.sustained, latency: r.latency });
  if (r.store || r.growth) v.push(...storeVerdicts(r.store, r.growth));
  return v;
}

function printVerdicts(v: Verdict[]): void {
  out('\n## Targets\n');
  out('| target | result | numbers |');
  out('|---|---|---|');
  for (const x of v) out(`| ${x.target} | ${x.met === null ? 'NOT RUN' : x.met ? 'MET' : 'NOT MET'} | ${x.numbers} |`);
}

/**
 * The report of a run of the HTTP, pipeline and latency benchmarks goes into docs/benchmarks.md
 * between the `bench` markers (the store benchmark writes its own section): the file is regenerated
 * by the command, never copied by hand. A partial run (--only) writes nothing, so the section always
 * holds one whole run.
 */
function writeReport(o: BenchOptions, r: Results): void {
  const whole = ['compare', 'pipeline', 'http', 'sustained', 'latency'].every((k) => o.only.has(k));
  if (!o.writeDocs || !whole || !r.http) return;
  const end = printed.findIndex((l) => l.startsWith('\n## The store at production volume'));
  const body = (end < 0 ? printed : printed.slice(0, end)).join('\n');
  // The header lines (machine, node, date, command, …) as a block; the tables as they are.
  const firstTable = body.indexOf('\n## ');
  // The report's headings sit one level down, under "The last run".
  const tables = body.slice(firstTable).replace(/^## /gm, '### ');
  const text = firstTable < 0 ? body : `\`\`\`\n${body.slice(0, firstTable).trim()}\n\`\`\`\n${tables}`;
  writeSection(join(ROOT, 'docs/benchmarks.md'), 'bench', text);
  log('docs/benchmarks.md: the bench section is rewritten (--write-docs 0 leaves it)');
}

async function main(): Promise<void> {
  const o = benchOptions();
  // Every loop is bounded; this bounds the whole run too, whatever hangs.
  // The store benchmark's budget: seeding at 1,000/s at worst, and each growth load with its drain.
  const storeSeconds =
    (o.only.has('store-seeded') ? (o.storeKinds.length * Math.max(0, ...o.storeSizes)) / 1000 : 0) +
    (o.only.has('store-growth') ? o.storeKinds.length * o.growthSeconds.reduce((a, s) => a + 2 * s + o.drainTimeoutSeconds + 60, 0) : 0);
  const budgetMs = (600 + 14 * (o.seconds + o.warmupSeconds) + 2 * o.sustainedSeconds + 4 * (o.latencySeconds + o.warmupSeconds) + 10 * o.drainTimeoutSeconds + storeSeconds) * 1000;
  const watchdog = setTimeout(() => {
    log(`the benchmark ran past its ${(budgetMs / 1000).toFixed(0)} s budget: stopping everything`);
    killAllNow();
    process.exit(1);
  }, budgetMs);
  watchdog.unref();

  printHeader(o);
  const idle = watchOtherLoad();
  await sleep(2000);
  const before = idle.stop().cores;
  out(`other processes before the run: ${f2(before)} cores busy${before > 0.25 ? ' (a shared machine: the numbers below carry that noise; see the "other processes" columns)' : ''}`);

  const r: Results = {};
  const only = o.only;
  if (only.has('http') || only.has('latency') || only.has('sustained') || only.has('store-growth')) ensureHttpTools();
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    log(`\n== ${name} ==`);
    const t0 = performance.now();
    const value = await fn();
    log(`   (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    return value;
  };
  if (only.has('compare') || only.has('pipeline')) r.compare = await step('comparisons per second', () => compareThroughput(o.compareSeconds));
  if (only.has('compare') && r.compare) printCompare(r.compare);
  if (only.has('pipeline')) {
    r.pipeline = await step('comparator through the real pipeline', () => pipelineThroughput({ scale: o.pipelineScale, compareSeconds: o.compareSeconds }, r.compare));
    printPipeline(r.pipeline);
  }
  if (only.has('http')) {
    r.http = await step('HTTP throughput', () => httpThroughput(o, log));
    printHttp(o, r.http);
  }
  if (only.has('sustained')) {
    r.sustained = await step('sustained load', () => sustained(o, log));
    printSustained(r.sustained);
  }
  if (only.has('latency')) {
    r.latency = await step('latency check', () => latencyCheck(o, log));
    printLatency(r.latency);
  }
  if (only.has('store-seeded')) r.store = await step('store at production volume', () => storeBench(o, log));
  if (only.has('store-growth')) r.growth = await step('report growth under real traffic', () => storeGrowth(o, log));
  if (r.store || r.growth) {
    const section = storeSection(storeHeader(o), r.store, r.growth);
    out('\n## The store at production volume (bench/store.ts, bench/store-growth.ts)\n');
    for (const line of section) out(line);
    if (o.writeDocs) {
      writeSection(join(ROOT, 'docs/benchmarks.md'), 'store-bench', section.join('\n'));
      log('docs/benchmarks.md: the store section is rewritten (--write-docs 0 leaves it)');
    }
  }
  printVerdicts(verdicts(o, r));
  writeReport(o, r);
  if (o.profileDir && only.has('http')) {
    for (const [key, what] of [
      ['shadow-diff', 'the fast-shadow run'],
      ['ingress-proxy-1', 'the proxy-only `shadow-diff ingress` run (--mirror-percent 0)'],
      ['shadow-diff-no-mirror', 'the proxy-only `shadow-diff start` run (--mirror-percent 0)'],
    ] as const) {
      const best = existsSync(join(o.profileDir, key)) ? busiestProfile(join(o.profileDir, key)) : null;
      if (!best) continue;
      out(`\n## Where shadow-diff's main thread goes: CPU profile of ${what} (${best.file})\n`);
      out('Profiling slows the process down: its throughput in this run is not comparable with an unprofiled one.\n');
      printSummary(best.summary, 15, out);
    }
  }
  out(`\nload average at the end: ${machineInfo().loadavg.map((l) => l.toFixed(2)).join(', ')}`);
  clearTimeout(watchdog);
}

try {
  await main();
} catch (error) {
  log(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  removeTempDirs();
}
