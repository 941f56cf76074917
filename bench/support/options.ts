/**
 * Benchmark settings: each a flag (`npm run bench -- --seconds 5`) or an environment variable
 * (`BENCH_SECONDS=5 npm run bench`); the flag wins. Defaults suit a 2-core machine.
 */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** wrk duration of each throughput run, seconds. */
  seconds: number;
  /** wrk warm-up before each measured run (not counted), seconds. */
  warmupSeconds: number;
  /** wrk connections and threads of the throughput runs. */
  connections: number;
  threads: number;
  /** The slow shadow's delay, milliseconds. */
  slowMs: number;
  /** The in-flight bound of the extra slow-shadow run that mirrors everything (0: skip that run). */
  slowFullInFlight: number;
  /** Also run the diagnostic setup: `shadow-diff start` with --mirror-percent 0 (the proxy alone). */
  diagnostics: boolean;
  /** The Redis of the BullMQ setups (`shadow-diff ingress` + comparators); each uses a random key prefix, removed after. */
  redisUrl: string;
  /** `shadow-diff comparator` processes draining the BullMQ setup's queue. */
  bullmqComparators: number;
  /** `--ingress-workers` of the proxy-only `shadow-diff ingress` rows, one row each (N > 1 only when the CLI has the flag). */
  proxyWorkers: number[];
  /** Sustained run: duration (s) and paced rate (req/s). */
  sustainedSeconds: number;
  sustainedRate: number;
  /** Latency check: paced rate (req/s) and duration (s). */
  latencyRate: number;
  latencySeconds: number;
  /** Pipeline benchmark: jobs per payload size are multiplied by this. */
  pipelineScale: number;
  /** Seconds per rate of the bare comparison loop (bench/compare-throughput.ts). */
  compareSeconds: number;
  /** How long to wait at most for the backlog to drain after a load, seconds. */
  drainTimeoutSeconds: number;
  /**
   * Which benchmarks to run: compare, pipeline, http, sustained, latency (the default set), and
   * store (store-seeded and store-growth, which also run one at a time).
   */
  only: Set<string>;
  /** Store benchmark: stored comparisons at which the report routes are timed, ascending. */
  storeSizes: number[];
  /** Store benchmark: which stores (sqlite, postgres). */
  storeKinds: StoreKind[];
  /** Store benchmark: timed calls per route and size (after storeWarmupCalls untimed ones). */
  storeCalls: number;
  storeWarmupCalls: number;
  /** Store benchmark: outcomes per recordBatch call (the comparator's batch writer flushes at 256). */
  storeBatch: number;
  /** Store benchmark: a PostgreSQL server's URL; a database sdbench_<random> is created on it and dropped after. */
  storePgUrl: string;
  /** Report growth under real traffic: durations of the flat-out loads through `start`, seconds (the first is the baseline). */
  growthSeconds: number[];
  /** Write the store benchmark's section into docs/benchmarks.md. */
  writeDocs: boolean;
  /** Write CPU profiles of the shadow-diff processes of the fast-shadow and proxy-only throughput runs (in subdirectories). */
  profileDir: string | null;
}

const SPEC = {
  seconds: { env: 'BENCH_SECONDS', default: '10' },
  'warmup-seconds': { env: 'BENCH_WARMUP_SECONDS', default: '2' },
  connections: { env: 'BENCH_CONNECTIONS', default: '32' },
  threads: { env: 'BENCH_THREADS', default: '2' },
  'slow-ms': { env: 'BENCH_SLOW_MS', default: '1000' },
  'slow-full-in-flight': { env: 'BENCH_SLOW_FULL_IN_FLIGHT', default: '16000' },
  diagnostics: { env: 'BENCH_DIAGNOSTICS', default: '1' },
  'redis-url': { env: 'BENCH_REDIS_URL', default: 'redis://127.0.0.1:6379' },
  'bullmq-comparators': { env: 'BENCH_BULLMQ_COMPARATORS', default: '1' },
  'proxy-workers': { env: 'BENCH_PROXY_WORKERS', default: '1,2' },
  'sustained-seconds': { env: 'BENCH_SUSTAINED_SECONDS', default: '60' },
  'sustained-rate': { env: 'BENCH_SUSTAINED_RATE', default: '500' },
  'latency-rate': { env: 'BENCH_LATENCY_RATE', default: '1000' },
  'latency-seconds': { env: 'BENCH_LATENCY_SECONDS', default: '10' },
  'pipeline-scale': { env: 'BENCH_PIPELINE_SCALE', default: '1' },
  'compare-seconds': { env: 'BENCH_COMPARE_SECONDS', default: '2' },
  'drain-timeout-seconds': { env: 'BENCH_DRAIN_TIMEOUT_SECONDS', default: '180' },
  only: { env: 'BENCH_ONLY', default: 'compare,pipeline,http,sustained,latency' },
  'store-sizes': { env: 'BENCH_STORE_SIZES', default: '10000,1000000,10000000' },
  'store-kinds': { env: 'BENCH_STORE_KINDS', default: 'sqlite,postgres' },
  'store-calls': { env: 'BENCH_STORE_CALLS', default: '30' },
  'store-warmup-calls': { env: 'BENCH_STORE_WARMUP_CALLS', default: '5' },
  'store-batch': { env: 'BENCH_STORE_BATCH', default: '256' },
  'store-pg-url': { env: 'BENCH_STORE_PG_URL', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  'growth-seconds': { env: 'BENCH_GROWTH_SECONDS', default: '3,60' },
  'write-docs': { env: 'BENCH_WRITE_DOCS', default: '1' },
  profile: { env: 'BENCH_PROFILE_DIR', default: '' },
} as const;

type Key = keyof typeof SPEC;

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
const SUITES = new Set(['compare', 'pipeline', 'http', 'sustained', 'latency', 'store', 'store-seeded', 'store-growth']);

/** A comma-separated list of whole numbers ≥ min, e.g. `10000,1000000`; empty means none. */
export function numberList(flag: string, text: string, min: number): number[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const n = Number(item.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${flag} must list whole numbers ≥ ${min}, got ${JSON.stringify(item)}`);
    return n;
  });
}

function storeKinds(text: string): StoreKind[] {
  const kinds = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of kinds) if (!(STORE_KINDS as readonly string[]).includes(k)) throw new Error(`--store-kinds takes ${STORE_KINDS.join(', ')}; got ${JSON.stringify(k)}`);
  return [...new Set(kinds)] as StoreKind[];
}

function suites(text: string): Set<string> {
  const only = new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
  for (const name of only) if (!SUITES.has(name)) throw new Error(`--only takes ${[...SUITES].join(', ')}; got ${JSON.stringify(name)}`);
  if (only.has('store')) only.add('store-seeded').add('store-growth');
  return only;
}

export function benchOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(SPEC).map((k) => [k, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const raw = (k: Key): string => (values[k] as string | undefined) ?? process.env[SPEC[k].env] ?? SPEC[k].default;
  const num = (k: Key, min = 0): number => {
    const n = Number(raw(k));
    if (!Number.isFinite(n) || n < min) throw new Error(`--${k} (${SPEC[k].env}) must be a number ≥ ${min}, got ${raw(k)}`);
    return n;
  };
  const wholeNumber = (k: Key, min: number): number => {
    const n = num(k, min);
    if (!Number.isSafeInteger(n)) throw new Error(`--${k} (${SPEC[k].env}) must be a whole number, got ${raw(k)}`);
    return n;
  };
  return {
    seconds: num('seconds', 1),
    warmupSeconds: num('warmup-seconds', 0),
    connections: num('connections', 1),
    threads: num('threads', 1),
    slowMs: num('slow-ms', 1),
    slowFullInFlight: num('slow-full-in-flight', 0),
    diagnostics: raw('diagnostics') !== '0',
    redisUrl: raw('redis-url'),
    bullmqComparators: wholeNumber('bullmq-comparators', 1),
    proxyWorkers: [...new Set(numberList('proxy-workers', raw('proxy-workers'), 1))],
    sustainedSeconds: num('sustained-seconds', 1),
    sustainedRate: num('sustained-rate', 1),
    latencyRate: num('latency-rate', 1),
    latencySeconds: num('latency-seconds', 1),
    pipelineScale: num('pipeline-scale', 0.01),
    compareSeconds: num('compare-seconds', 0.1),
    drainTimeoutSeconds: num('drain-timeout-seconds', 1),
    only: suites(raw('only')),
    profileDir: raw('profile') || null,
    storeSizes: [...new Set(numberList('store-sizes', raw('store-sizes'), 1))].sort((a, b) => a - b),
    storeKinds: storeKinds(raw('store-kinds')),
    storeCalls: num('store-calls', 1),
    storeWarmupCalls: num('store-warmup-calls', 0),
    storeBatch: num('store-batch', 1),
    storePgUrl: raw('store-pg-url'),
    growthSeconds: numberList('growth-seconds', raw('growth-seconds'), 1),
    writeDocs: raw('write-docs') !== '0',
  };
}

/** The command that reproduces this run: flags as given, and the BENCH_* variables that were set. */
export function commandLine(argv: string[] = process.argv.slice(2)): string {
  const env = Object.values(SPEC)
    .map((s) => s.env)
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name]}`);
  return [...env, 'npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
}
