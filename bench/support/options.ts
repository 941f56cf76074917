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
  /** Also run the diagnostic setup: shadow-diff with --mirror-percent 0 (the proxy alone). */
  diagnostics: boolean;
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
  /** Which benchmarks to run (all by default): compare, pipeline, http, sustained, latency. */
  only: Set<string>;
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
  'sustained-seconds': { env: 'BENCH_SUSTAINED_SECONDS', default: '60' },
  'sustained-rate': { env: 'BENCH_SUSTAINED_RATE', default: '500' },
  'latency-rate': { env: 'BENCH_LATENCY_RATE', default: '250' },
  'latency-seconds': { env: 'BENCH_LATENCY_SECONDS', default: '10' },
  'pipeline-scale': { env: 'BENCH_PIPELINE_SCALE', default: '1' },
  'compare-seconds': { env: 'BENCH_COMPARE_SECONDS', default: '2' },
  'drain-timeout-seconds': { env: 'BENCH_DRAIN_TIMEOUT_SECONDS', default: '180' },
  only: { env: 'BENCH_ONLY', default: 'compare,pipeline,http,sustained,latency' },
  profile: { env: 'BENCH_PROFILE_DIR', default: '' },
} as const;

type Key = keyof typeof SPEC;

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
  return {
    seconds: num('seconds', 1),
    warmupSeconds: num('warmup-seconds', 0),
    connections: num('connections', 1),
    threads: num('threads', 1),
    slowMs: num('slow-ms', 1),
    slowFullInFlight: num('slow-full-in-flight', 0),
    diagnostics: raw('diagnostics') !== '0',
    sustainedSeconds: num('sustained-seconds', 1),
    sustainedRate: num('sustained-rate', 1),
    latencyRate: num('latency-rate', 1),
    latencySeconds: num('latency-seconds', 1),
    pipelineScale: num('pipeline-scale', 0.01),
    compareSeconds: num('compare-seconds', 0.1),
    drainTimeoutSeconds: num('drain-timeout-seconds', 1),
    only: new Set(raw('only').split(',').map((s) => s.trim()).filter(Boolean)),
    profileDir: raw('profile') || null,
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
