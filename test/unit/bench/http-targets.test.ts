/**
 * The HTTP benchmark's parts that need no process: the performance targets it marks from a run's
 * rows, how it reads a command's flags from `--help`, the plain nginx setup and its settings.
 * (The benchmark itself runs with `npm run bench -- --only http,latency`.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, recordBatch } from '../../../libs/store/index.js';
import type { SetupKey, SetupResult } from '../../../bench/http-throughput.js';
import type { LatencyRow } from '../../../bench/latency-check.js';
import type { PipelineResult } from '../../../bench/pipeline-throughput.js';
import { flagsInHelp } from '../../../bench/support/cli-flags.js';
import { benchOptions } from '../../../bench/support/options.js';
import { nginxConf, storeAccounted, storeTotals } from '../../../bench/support/servers.js';
import { outcomeBatches } from '../../../bench/support/store-outcomes.js';
import { keptUp, targetVerdicts } from '../../../bench/targets.js';

function row(key: SetupKey, rps: number, p99Ms: number, pairs?: { dropped?: Record<string, number>; backlogAtEnd?: number; unsettled?: boolean }): SetupResult {
  const wrk = { rps, requests: rps * 10, seconds: 10, p50Ms: p99Ms / 3, p75Ms: p99Ms / 2, p90Ms: p99Ms / 1.5, p99Ms, maxMs: p99Ms * 2, non2xx: 0, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 }, cpuSeconds: 1, command: 'wrk', raw: '' };
  const base: SetupResult = {
    key,
    label: key,
    baseline: null,
    wrk,
    proxyCores: 1,
    proxyUsPerRequest: 100,
    upstreamCores: { primary: 0.2, shadow: 0.2 },
    sideCores: null,
    otherCores: 0,
    primary: { connections: 0, requests: 0 },
    shadow: { connections: 0, requests: 0 },
  };
  if (!pairs) return base;
  const sampled = rps * 10;
  const dropped = pairs.dropped ?? {};
  const queueDrops = (dropped.queue_backlog_limit ?? 0) + (dropped.queue_unavailable ?? 0);
  const summary = { compared: sampled - queueDrops, skipped: 0, dropped: queueDrops };
  return {
    ...base,
    accounting: {
      backlogAtEnd: pairs.backlogAtEnd ?? 0,
      settled: { sampled, counts: { requests: sampled, mirrored: sampled, dropped }, summary, accounted: sampled, drainMs: 100, settled: !pairs.unsettled },
      usPerRequestWithDrain: 200,
    },
  };
}

const latency = (label: string, p99Ms: number, rate = 1000): LatencyRow => ({ label, rate, sent: rate * 10, ok: rate * 10, p50Ms: 1, p90Ms: 1.5, p99Ms, maxMs: p99Ms * 2, cores: 0.5, otherCores: 0 });
const pipeline = (label: string, rate: number, bare: number) => ({ label, rate, bare }) as PipelineResult;

const verdict = (inputs: Parameters<typeof targetVerdicts>[0], starts: string) => {
  const v = targetVerdicts(inputs).find((x) => x.target.startsWith(starts));
  if (!v) throw new Error(`no target starting with ${starts}`);
  return v;
};
const base = { slowMs: 1000, slowFullInFlight: 0 };

describe('the targets of issue 14', () => {
  const nginx = row('nginx', 10_000, 5);

  it('start: met at half of nginx mirror and twice its p99 with no pair dropped at the queue, not met otherwise', () => {
    expect(verdict({ ...base, http: [nginx, row('shadow-diff', 5000, 10, {})] }, '`shadow-diff start`').met).toBe(true);
    expect(verdict({ ...base, http: [nginx, row('shadow-diff', 4999, 10, {})] }, '`shadow-diff start`').met).toBe(false);
    expect(verdict({ ...base, http: [nginx, row('shadow-diff', 6000, 10.1, {})] }, '`shadow-diff start`').met).toBe(false);
    const dropped = verdict({ ...base, http: [nginx, row('shadow-diff', 9000, 6, { dropped: { queue_backlog_limit: 3 } })] }, '`shadow-diff start`');
    expect(dropped.met).toBe(false);
    expect(dropped.numbers).toContain('3 pairs dropped at the queue');
    expect(verdict({ ...base, http: [nginx, row('shadow-diff', 9000, 6, { unsettled: true })] }, '`shadow-diff start`').met).toBe(false);
  });

  it('start: not run without both rows', () => {
    expect(verdict({ ...base, http: [row('shadow-diff', 9000, 6, {})] }, '`shadow-diff start`').met).toBeNull();
  });

  it('BullMQ ingress: 0.8 × nginx mirror, none dropped at the queue; says whether the comparator kept up', () => {
    const ok = verdict({ ...base, http: [nginx, row('bullmq', 8000, 50, { backlogAtEnd: 100 })] }, '`shadow-diff ingress` on BullMQ');
    expect(ok.met).toBe(true);
    expect(ok.numbers).toContain('kept up');
    const behind = verdict({ ...base, http: [nginx, row('bullmq', 8000, 50, { backlogAtEnd: 20_000 })] }, '`shadow-diff ingress` on BullMQ');
    expect(behind.numbers).toContain('did NOT keep up');
    expect(verdict({ ...base, http: [nginx, row('bullmq', 7999, 50, {})] }, '`shadow-diff ingress` on BullMQ').met).toBe(false);
    expect(verdict({ ...base, http: [nginx, row('bullmq', 9000, 50, { dropped: { queue_unavailable: 1 } })] }, '`shadow-diff ingress` on BullMQ').met).toBe(false);
  });

  it('kept up means a backlog of at most one second of the load when it stopped', () => {
    expect(keptUp(row('bullmq', 1000, 5, { backlogAtEnd: 1000 }))).toBe(true);
    expect(keptUp(row('bullmq', 1000, 5, { backlogAtEnd: 1001 }))).toBe(false);
    expect(keptUp(row('bullmq', 1000, 5))).toBe(false);
  });

  it('proxy only: the best of the ingress-worker rows against nginx plain proxy_pass, with the skipped rows named', () => {
    const plain = row('nginx-plain', 20_000, 3);
    const inputs = {
      ...base,
      http: [plain, row('ingress-proxy-1', 8000, 5), row('ingress-proxy-2', 10_000, 5)],
      skipped: [{ label: 'shadow-diff ingress, --mirror-percent 0 (proxy only), --ingress-workers 4', reason: 'no such flag' }],
    };
    const v = verdict(inputs, 'proxy only');
    expect(v.met).toBe(true);
    expect(v.numbers).toContain('2 worker(s): 10000 req/s (0.50×)');
    expect(v.numbers).toContain('--ingress-workers 4: skipped, no such flag');
    expect(verdict({ ...base, http: [plain, row('ingress-proxy-1', 9999, 5)] }, 'proxy only').met).toBe(false);
  });

  it("latency: within 1 ms of the primary's direct p99, at the target's rate only", () => {
    expect(verdict({ ...base, latency: [latency('primary directly', 2), latency('shadow-diff start', 3)] }, 'at a fixed').met).toBe(true);
    expect(verdict({ ...base, latency: [latency('primary directly', 2), latency('shadow-diff start', 3.01)] }, 'at a fixed').met).toBe(false);
    const slower = verdict({ ...base, latency: [latency('primary directly', 2, 250), latency('shadow-diff start', 2.5, 250)] }, 'at a fixed');
    expect(slower.met).toBe(false);
    expect(slower.target).toContain("the target's rate is 1000 req/s");
  });

  it('the comparator pipeline: at least half of the bare diff loop on every payload', () => {
    const rows = [pipeline('1KB', 500, 1000), pipeline('10KB', 60, 100), pipeline('100KB', 6, 10)];
    expect(verdict({ ...base, pipeline: rows }, 'the comparator through the real pipeline').met).toBe(true);
    const v = verdict({ ...base, pipeline: [...rows.slice(1), pipeline('1KB', 499, 1000)] }, 'the comparator through the real pipeline');
    expect(v.met).toBe(false);
    expect(v.numbers).toContain('1KB 50%');
  });

  it('lists every target, the old ones of issue 8 no more', () => {
    const targets = targetVerdicts(base).map((v) => v.target);
    expect(targets).toHaveLength(8);
    expect(targets.join('\n')).not.toMatch(/≥ nginx mirror throughput|70 %|250 req\/s/);
    expect(targets.some((t) => t.includes('RSS stays flat'))).toBe(true);
  });
});

describe('the flags of a command, from its --help', () => {
  it('reads the long flags at the start of option lines, not those quoted in descriptions', () => {
    const help = [
      'Usage: shadow-diff ingress [options]',
      '',
      'Options:',
      '  --mode <value>                  inline: the ingress is the proxy',
      '                                  --not-a-flag in a wrapped description',
      '  --strip-host-suffix <value>     --mode mirror-target: removed from the end',
      '  --ingress-workers <value>       Ingress processes sharing the port',
      '  --allow-unauthenticated         Serve the report API without a token',
      '  -h, --help                      display help for command',
    ].join('\n');
    expect([...flagsInHelp(help)].sort()).toEqual(['--allow-unauthenticated', '--help', '--ingress-workers', '--mode', '--strip-host-suffix']);
  });
});

describe('the HTTP benchmark setups', () => {
  it('writes nginx with mirror by default and a plain proxy_pass without', () => {
    const opts = { dir: '/tmp/x', listen: 1, primary: 2, shadow: 3 };
    expect(nginxConf(opts)).toContain('mirror /mirror;');
    const plain = nginxConf({ ...opts, mirror: false });
    expect(plain).not.toContain('mirror');
    expect(plain).toContain('proxy_pass http://primary;');
    expect(plain).toContain('worker_processes 1;');
  });

  it('checks the latency at 1,000 req/s unless told, and reads the BullMQ and proxy-only settings', () => {
    expect(benchOptions([]).latencyRate).toBe(1000);
    const o = benchOptions(['--latency-rate', '250', '--bullmq-comparators', '2', '--proxy-workers', '1,2,2,4', '--redis-url', 'redis://127.0.0.1:6380']);
    expect(o.latencyRate).toBe(250);
    expect(o.bullmqComparators).toBe(2);
    expect(o.proxyWorkers).toEqual([1, 2, 4]);
    expect(o.redisUrl).toBe('redis://127.0.0.1:6380');
    expect(() => benchOptions(['--bullmq-comparators', '1.5'])).toThrow(/--bullmq-comparators/);
    expect(() => benchOptions(['--proxy-workers', '0'])).toThrow(/--proxy-workers/);
  });
});

describe('the accounting read from the store file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-http-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every recorded exchange once, though each rollup is kept at four spans', async () => {
    const db = join(dir, 'store.db');
    const store = await openStore(db);
    const outcomes = [...outcomeBatches({ run: 'live', count: 200, startMs: Date.UTC(2026, 0, 1), spanMs: 3 * 86_400_000, seed: 7 }, 200)].flat();
    try {
      await recordBatch(store, outcomes);
    } finally {
      await store.close();
    }
    const skipped = outcomes.filter((o) => o.outcome === 'skipped').length;
    expect(storeTotals({ db })).toEqual({ compared: 200 - skipped, skipped, dropped: 0 });
    expect(storeAccounted({ db })).toBe(200);
  });

  it('holds nothing before a comparator created the store', () => {
    expect(storeTotals({ db: join(dir, 'not-yet.db') })).toEqual({ compared: 0, skipped: 0, dropped: 0 });
  });
});
