/**
 * The comparator through the real pipeline: N compare-exchange jobs of the 1, 10 and 100 KB pairs of
 * bench/payloads.ts published into an embedded queue, consumed by a real comparator (the settings
 * `shadow-diff start` uses by default) writing to a temporary SQLite store; timed until every one is
 * stored. Reported next to the bare jsondiffpatch loop of bench/compare-throughput.ts on the same pairs.
 *
 *   node --import tsx bench/pipeline-throughput.ts [--pipeline-scale 1] [--compare-seconds 2]
 */
import { join } from 'node:path';
import { capturedBody, EMPTY_BODY } from '../libs/http/body.js';
import { loadConfig } from '../libs/config/load-config.js';
import { createLogger } from '../libs/logger.js';
import { createEmbeddedQueue } from '../libs/queue/embedded-queue.js';
import { openStore, recordBatch, redactionKey, summary } from '../libs/store/index.js';
import { DEFAULT_MAX_BATCH } from '../services/comparator/batch-writer.js';
import type { Exchange } from '../libs/exchange/exchange.js';
import { comparatorSettings } from '../services/cli/run-services.js';
import { startComparator } from '../services/comparator/comparator-service.js';
import { createComparisonContext, outcomeOf } from '../services/comparator/handle-job.js';
import { compareExchangePayloadSchema } from '../libs/exchange/payload-schemas.js';
import { compareThroughput } from './compare-throughput.js';
import { payloadPairs } from './payloads.js';
import { sleep } from './support/children.js';
import { benchOptions } from './support/options.js';
import { removeTempDirs, tempDir } from './support/servers.js';

/** Jobs per payload at --pipeline-scale 1: a few seconds of work each on a 2-core machine. */
const JOBS: Record<string, number> = { '1KB': 4000, '10KB': 1000, '100KB': 120 };
const WARMUP_JOBS = 50;

export interface PipelineResult {
  label: string;
  bytes: number;
  jobs: number;
  seconds: number;
  /** Jobs compared and stored per second. */
  rate: number;
  /** compareExchange alone and the bare jsondiffpatch.diff loop, from bench/compare-throughput.ts. */
  compareExchange: number;
  /** What the job handler does before the store (payload validation, compare, outcome, redaction, capture), in a loop. */
  beforeStore: number;
  /** The store write alone (recordBatch of precomputed outcomes, in the comparator's batches), on a fresh store. */
  storeOnly: number;
  /** Longest the event loop went without a turn while the comparator worked, ms: what an ingress in the same process waits. */
  loopStallMaxMs: number;
  bare: number;
  compared: number;
  mismatched: number;
}

const encoded = (v: unknown) => capturedBody(Buffer.from(JSON.stringify(v)));

/** An exchange as the ingress records it from the benchmark's upstreams. */
function exchangeOf(id: string, primary: unknown, shadow: unknown): Exchange {
  const p = encoded(primary);
  const s = encoded(shadow);
  const responseHeaders = (size: number, date: string) => ({ 'content-type': 'application/json', 'content-length': String(size), date });
  return {
    id,
    run: 'live',
    receivedAt: Date.now(),
    request: {
      method: 'GET',
      url: '/catalogue?page=1',
      headers: { host: '127.0.0.1:8080', 'user-agent': 'bench', accept: 'application/json', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' },
      body: EMPTY_BODY,
    },
    primary: { status: 200, headers: responseHeaders(p.size, 'Tue, 24 Nov 2026 22:12:02 GMT'), body: p, latencyMs: 1.2 },
    shadow: { status: 200, headers: responseHeaders(s.size, 'Tue, 24 Nov 2026 22:12:03 GMT'), body: s, latencyMs: 1.4 },
    shadowError: null,
    skipReason: null,
  };
}

/** The job handler's work up to the store, in a loop over the same exchanges: validation, compare, outcome. */
async function beforeStoreRate(exchanges: Exchange[], config: ReturnType<typeof loadConfig>, seconds: number): Promise<number> {
  const ctx = createComparisonContext(comparatorSettings(config));
  let n = 0;
  const one = async () => {
    const ex = exchanges[n % exchanges.length] as Exchange;
    const parsed = compareExchangePayloadSchema.parse({ v: 1, exchange: ex });
    await outcomeOf(parsed.exchange as Exchange, ctx);
    n++;
  };
  for (let i = 0; i < 20; i++) await one();
  n = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) await one();
  return n / ((performance.now() - started) / 1000);
}

/** recordBatch alone: outcomes computed first, then written in batches of the comparator's size. */
async function storeOnlyRate(label: string, primary: unknown, shadow: unknown, n: number, config: ReturnType<typeof loadConfig>): Promise<number> {
  const ctx = createComparisonContext(comparatorSettings(config));
  const store = await openStore(join(tempDir('store-only'), 'store.db'));
  try {
    const outcomes = await Promise.all(Array.from({ length: n + 20 }, (_, i) => outcomeOf(exchangeOf(`${label}-store-${i}`, primary, shadow), ctx)));
    await recordBatch(store, outcomes.slice(0, 20));
    const rest = outcomes.slice(20);
    const started = performance.now();
    for (let i = 0; i < rest.length; i += DEFAULT_MAX_BATCH) await recordBatch(store, rest.slice(i, i + DEFAULT_MAX_BATCH));
    return n / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

/** The longest gap between two turns of the event loop (a 1 ms timer) until stop(). */
function stallWatch(): { stop(): Promise<number> } {
  let last = performance.now();
  let max = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return {
    async stop() {
      await sleep(5); // one more turn, so a stall that lasted until now is counted
      clearTimeout(timer);
      return max;
    },
  };
}

async function waitHandled(handled: () => number, n: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (handled() < n) {
    if (performance.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

export async function pipelineThroughput(
  opts: { scale: number; compareSeconds: number; timeoutMs?: number },
  compared?: ReturnType<typeof compareThroughput>,
): Promise<PipelineResult[]> {
  const bareRates = compared ?? compareThroughput(opts.compareSeconds);
  const results: PipelineResult[] = [];
  for (const pair of payloadPairs()) {
    const jobs = Math.max(10, Math.round((JOBS[pair.label] ?? 100) * opts.scale));
    const db = join(tempDir('pipeline'), 'store.db');
    const config = loadConfig({ flags: { primary: 'http://127.0.0.1:1', shadow: 'http://127.0.0.1:2', db }, env: {}, required: [] });
    const store = await openStore(db);
    const queue = createEmbeddedQueue({ maxBacklog: jobs + WARMUP_JOBS + 10 });
    const comparator = startComparator({
      queue,
      store,
      concurrency: config.comparatorConcurrency,
      settings: comparatorSettings(config, await redactionKey(store)),
      logger: createLogger('silent', 'bench'),
    });
    try {
      let seq = 0;
      const publish = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const id = `${pair.label}-${seq++}`;
          await queue.publisher.publish('compare-exchange', id, { v: 1, exchange: exchangeOf(id, pair.primary, pair.shadow) });
        }
      };
      // Warm-up: the first jobs pay for JIT and prepared statements.
      await publish(WARMUP_JOBS);
      if (!(await waitHandled(comparator.handled, WARMUP_JOBS, opts.timeoutMs ?? 120_000))) throw new Error('pipeline warm-up did not finish');
      // The exchanges are built before the clock starts: the ingress builds them, not the comparator.
      const batch = Array.from({ length: jobs }, (_, i) => {
        const id = `${pair.label}-${seq + i}`;
        return { id, exchange: exchangeOf(id, pair.primary, pair.shadow) };
      });
      const loop = stallWatch();
      const started = performance.now();
      for (const { id, exchange } of batch) await queue.publisher.publish('compare-exchange', id, { v: 1, exchange });
      const done = await waitHandled(comparator.handled, WARMUP_JOBS + jobs, opts.timeoutMs ?? 120_000);
      const seconds = (performance.now() - started) / 1000;
      const loopStallMaxMs = await loop.stop();
      const stored = await summary(store, 'live');
      if (!done) throw new Error(`pipeline ${pair.label}: ${comparator.handled() - WARMUP_JOBS} of ${jobs} jobs after ${seconds.toFixed(0)} s`);
      const rates = bareRates.find((r) => r.label === pair.label);
      results.push({
        label: pair.label,
        bytes: pair.bytes,
        jobs,
        seconds,
        rate: jobs / seconds,
        compareExchange: rates?.pipeline ?? NaN,
        beforeStore: await beforeStoreRate(batch.slice(0, Math.min(batch.length, 2000)).map((b) => b.exchange), config, Math.max(0.2, opts.compareSeconds / 2)),
        loopStallMaxMs,
        storeOnly: await storeOnlyRate(pair.label, pair.primary, pair.shadow, Math.min(jobs, 2000), config),
        bare: rates?.bare ?? NaN,
        compared: stored.compared - WARMUP_JOBS,
        mismatched: stored.mismatched,
      });
    } finally {
      await comparator.close();
      await queue.close();
      await store.close();
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = benchOptions();
  try {
    console.log('| payload | bytes | jobs | pipeline /s | handler before the store /s | store write alone /s | compareExchange /s | bare jsondiffpatch.diff /s | pipeline / bare | longest event-loop stall |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of await pipelineThroughput({ scale: o.pipelineScale, compareSeconds: o.compareSeconds })) {
      console.log(
        `| ${r.label} | ${r.bytes} | ${r.jobs} | ${r.rate.toFixed(0)} | ${r.beforeStore.toFixed(0)} | ${r.storeOnly.toFixed(0)} | ${r.compareExchange.toFixed(0)} | ${r.bare.toFixed(0)} | ${((r.rate / r.bare) * 100).toFixed(0)}% | ${r.loopStallMaxMs.toFixed(0)} ms |`,
      );
    }
  } finally {
    removeTempDirs();
  }
}
