/**
 * The performance targets of issue 14 ("the hot path at the limit"), each checked against numbers
 * measured side by side with nginx in the same run: MET, NOT MET, or NOT RUN with the reason.
 * Pure: bench/run.ts prints what this returns.
 */
import type { SetupKey, SetupResult, SkippedSetup } from './http-throughput.js';
import type { LatencyRow } from './latency-check.js';
import type { PipelineResult } from './pipeline-throughput.js';
import type { Verdict } from './store-report.js';
import { queueDropsOf } from './support/servers.js';
import type { SustainedResult } from './sustained.js';

export const START_RPS_RATIO = 0.5;
export const START_P99_RATIO = 2;
export const BULLMQ_RPS_RATIO = 0.8;
export const PROXY_RPS_RATIO = 0.5;
export const LATENCY_RATE = 1000;
export const LATENCY_EXTRA_P99_MS = 1;
export const PIPELINE_RATIO = 0.5;
export const SLOW_SHADOW_COST = 0.1;

export interface TargetInputs {
  slowMs: number;
  slowFullInFlight: number;
  http?: SetupResult[];
  /** Setups left out because the CLI lacks their flag. */
  skipped?: SkippedSetup[];
  pipeline?: PipelineResult[];
  sustained?: SustainedResult;
  latency?: LatencyRow[];
}

const f0 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(0));
const f2 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(2));
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '–');
const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const signedPct = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${(n * 100).toFixed(0)}%` : '–');

export const byKey = (rows: readonly SetupResult[], key: SetupKey) => rows.find((r) => r.key === key);

/** Pairs the ingress dropped at the queue during the row (warm-up included), and whether every sampled pair ended in the store. */
function pairsOf(r: SetupResult): { queueDrops: number; otherDrops: number; settled: boolean; text: string } {
  const a = r.accounting;
  if (!a) return { queueDrops: NaN, otherDrops: NaN, settled: false, text: 'no accounting' };
  const c = a.settled.counts;
  const queueDrops = queueDropsOf(c);
  const otherDrops = Object.values(c.dropped).reduce((x, y) => x + y, 0) - queueDrops;
  const s = a.settled.summary;
  const text = `${queueDrops} pairs dropped at the queue, ${otherDrops} elsewhere; ${s.compared} compared and ${s.skipped} skipped of ${a.settled.sampled} sampled${a.settled.settled ? '' : ' (NOT settled)'}`;
  return { queueDrops, otherDrops, settled: a.settled.settled, text };
}

/** Whether the comparator kept up: the backlog when the load stopped was at most one second of the load's traffic. */
export function keptUp(r: SetupResult): boolean {
  return r.accounting !== undefined && r.accounting.backlogAtEnd <= r.wrk.rps;
}

const notRun = (target: string, why = 'not run'): Verdict => ({ target, met: null, numbers: why });

function startTarget(http: SetupResult[]): Verdict {
  const target = `\`shadow-diff start\`, 100 % mirroring, every pair compared (none dropped at the queue): ≥ ${START_RPS_RATIO}× nginx mirror's req/s and p99 ≤ ${START_P99_RATIO}× nginx mirror's p99`;
  const sd = byKey(http, 'shadow-diff');
  const nginx = byKey(http, 'nginx');
  if (!sd || !nginx) return notRun(target);
  const rps = sd.wrk.rps / nginx.wrk.rps;
  const p99 = sd.wrk.p99Ms / nginx.wrk.p99Ms;
  const pairs = pairsOf(sd);
  const threads = byKey(http, 'shadow-diff-threads-1');
  const extra = threads ? `; with --comparator-threads 1: ${f0(threads.wrk.rps)} req/s (${times(threads.wrk.rps / nginx.wrk.rps)}), p99 ${f2(threads.wrk.p99Ms)} ms, ${pairsOf(threads).queueDrops} dropped at the queue` : '';
  return {
    target,
    met: rps >= START_RPS_RATIO && p99 <= START_P99_RATIO && pairs.queueDrops === 0 && pairs.settled,
    numbers: `${f0(sd.wrk.rps)} vs ${f0(nginx.wrk.rps)} req/s (${times(rps)}); p99 ${f2(sd.wrk.p99Ms)} vs ${f2(nginx.wrk.p99Ms)} ms (${times(p99)}); ${pairs.text}${extra}`,
  };
}

function bullmqTarget(http: SetupResult[]): Verdict {
  const target = `\`shadow-diff ingress\` on BullMQ (comparators in their own processes), none dropped at the queue: ≥ ${BULLMQ_RPS_RATIO}× nginx mirror's req/s`;
  const r = byKey(http, 'bullmq');
  const nginx = byKey(http, 'nginx');
  if (!r || !nginx || !r.accounting) return notRun(target);
  const rps = r.wrk.rps / nginx.wrk.rps;
  const pairs = pairsOf(r);
  const b = r.bullmq;
  const comparator =
    `${b?.comparators ?? '?'} comparator process(es) ${keptUp(r) ? 'kept up' : 'did NOT keep up'}: backlog ${r.accounting.backlogAtEnd} when the load stopped ` +
    `(${f0(b?.queueBacklogAtEnd)} jobs in the queue), drained in ${(r.accounting.settled.drainMs / 1000).toFixed(1)} s, ${f2(b?.comparatorCores)} cores`;
  return {
    target,
    met: rps >= BULLMQ_RPS_RATIO && pairs.queueDrops === 0,
    numbers: `${f0(r.wrk.rps)} vs ${f0(nginx.wrk.rps)} req/s (${times(rps)}); ${pairs.text}; ${comparator}`,
  };
}

function proxyTarget(http: SetupResult[], skipped: SkippedSetup[]): Verdict {
  const target = `proxy only (\`--mirror-percent 0\`, \`--ingress-workers\` if that is what it takes): ≥ ${PROXY_RPS_RATIO}× nginx plain \`proxy_pass\` req/s`;
  const nginx = byKey(http, 'nginx-plain');
  const rows = http.filter((r) => r.key.startsWith('ingress-proxy-'));
  if (!nginx || rows.length === 0) return notRun(target);
  const ratio = (r: SetupResult) => r.wrk.rps / nginx.wrk.rps;
  const best = rows.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
  const left = skipped.filter((x) => x.label.includes('--mirror-percent 0')).map((x) => `; ${x.label}: skipped, ${x.reason}`);
  return {
    target,
    met: ratio(best) >= PROXY_RPS_RATIO,
    numbers: `nginx proxy_pass ${f0(nginx.wrk.rps)} req/s; ${rows.map((r) => `ingress, ${r.key.slice('ingress-proxy-'.length)} worker(s): ${f0(r.wrk.rps)} req/s (${times(ratio(r))})`).join('; ')}${left.join('')}`,
  };
}

function latencyTarget(rows: LatencyRow[] | undefined): Verdict {
  const primary = rows?.find((x) => x.label === 'primary directly');
  const ingress = rows?.find((x) => x.label === 'shadow-diff start');
  const rate = ingress?.rate ?? LATENCY_RATE;
  const target =
    `at a fixed ${rate} req/s with 100 % mirroring, the client's p99 through \`shadow-diff start\` within ${LATENCY_EXTRA_P99_MS} ms of the primary's direct p99` +
    (rate === LATENCY_RATE ? '' : ` (the target's rate is ${LATENCY_RATE} req/s: --latency-rate ${LATENCY_RATE})`);
  if (!primary || !ingress) return notRun(target);
  const d = ingress.p99Ms - primary.p99Ms;
  const lost = ingress.sent - ingress.ok;
  return {
    target,
    met: d <= LATENCY_EXTRA_P99_MS && lost === 0 && rate >= LATENCY_RATE,
    numbers: `${f2(ingress.p99Ms)} vs ${f2(primary.p99Ms)} ms (${d >= 0 ? '+' : ''}${f2(d)} ms); ${ingress.ok} of ${ingress.sent} answered 200`,
  };
}

function pipelineTarget(rows: PipelineResult[] | undefined): Verdict {
  const target = `the comparator through the real pipeline (batched SQLite writes included), 1 KB / 10 KB / 100 KB JSON: ≥ ${pct(PIPELINE_RATIO)} of a bare jsondiffpatch.diff loop's rate`;
  if (!rows || rows.length === 0) return notRun(target);
  const ratios = rows.map((p) => ({ label: p.label, ratio: p.rate / p.bare }));
  return { target, met: ratios.every((x) => x.ratio >= PIPELINE_RATIO), numbers: ratios.map((x) => `${x.label} ${pct(x.ratio)}`).join(', ') };
}

function slowShadowTarget(o: TargetInputs, http: SetupResult[]): Verdict {
  const target = `a ${o.slowMs} ms shadow costs less than ${pct(SLOW_SHADOW_COST)} of \`shadow-diff start\`'s throughput`;
  const sd = byKey(http, 'shadow-diff');
  const slow = byKey(http, 'shadow-diff-slow');
  if (!sd || !slow) return notRun(target);
  const full = byKey(http, 'shadow-diff-slow-full');
  const cost = 1 - slow.wrk.rps / sd.wrk.rps;
  const extra = full ? `; mirroring every request (--shadow-max-in-flight ${o.slowFullInFlight}): ${f0(full.wrk.rps)} req/s, ${signedPct(full.wrk.rps / sd.wrk.rps - 1)}` : '';
  return {
    target,
    met: cost < SLOW_SHADOW_COST,
    numbers: `${f0(sd.wrk.rps)} → ${f0(slow.wrk.rps)} req/s (${signedPct(-cost)}; ${slow.accounting?.settled.counts.dropped.shadow_in_flight_limit ?? 0} pairs dropped at the in-flight bound, counted)${extra}`,
  };
}

function sustainedTarget(s: SustainedResult | undefined): Verdict {
  if (!s) return notRun('the comparator keeps up with the ingress (no backlog growth)');
  const first = s.samples[0]?.backlog ?? 0;
  const last = s.samples[s.samples.length - 1]?.backlog ?? 0;
  const growing = last > Math.max(first, s.rate);
  return {
    target: `the comparator keeps up with the ingress at ${s.rate} req/s (no backlog growth)`,
    met: !growing && s.backlogAtEnd <= s.rate && s.drainMs <= 1000 && s.settled.settled,
    numbers:
      `backlog ${s.samples.map((x) => x.backlog).join(' → ')} every 5 s, ${s.backlogAtEnd} when the load stopped, drained in ${f2(s.drainMs / 1000)} s ` +
      `(criteria: no sample above max(first, 1 s of traffic); ≤ 1 s of traffic at the end; drain ≤ 1 s); meanwhile the clients saw p50 ${f2(s.p50Ms)} ms, p99 ${f2(s.p99Ms)} ms`,
  };
}

export function targetVerdicts(o: TargetInputs): Verdict[] {
  const http = o.http ?? [];
  return [
    startTarget(http),
    bullmqTarget(http),
    proxyTarget(http, o.skipped ?? []),
    latencyTarget(o.latency),
    pipelineTarget(o.pipeline),
    slowShadowTarget(o, http),
    notRun('RSS stays flat during the 60 s hung-shadow load test', 'measured by `npm run test:load` (test/load/hung-shadow.test.ts), not by this benchmark'),
    sustainedTarget(o.sustained),
  ];
}
