/**
 * An open-loop, paced HTTP load with undici: request i is due at start + i / rate, whatever happened
 * to the previous ones, and its latency counts from the moment it was due (no coordinated
 * omission: a stall of the server shows in the latency instead of lowering the rate).
 */
import type { Pool } from 'undici';
import { sleep } from './children.js';

/** Requests in flight at most; past it a due request is counted as not sent. */
const CLIENT_MAX_IN_FLIGHT = 2000;

export interface BacklogSample {
  /** Seconds since the load started. */
  at: number;
  sampled: number;
  accounted: number;
  backlog: number;
  /** How long the two API calls took, ms. */
  pollMs: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export interface Paced {
  sent: number;
  ok: number;
  failed: number;
  notSent: number;
  /** Latency of request i from the moment it was due, ms (NaN when not sent). */
  latencies: Float64Array;
  samples: BacklogSample[];
  /** performance.now() when the last request was due. */
  endedAt: number;
  startedAt: number;
}

/** Sends `rate` requests per second for `seconds`, open loop; samples the backlog every few seconds when asked. */
export async function pace(pool: Pool, rate: number, seconds: number, sample: (() => Promise<Omit<BacklogSample, 'at'>>) | null, log: (l: string) => void, sampleEveryMs = 5000): Promise<Paced> {
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total).fill(NaN);
  const r = { sent: 0, ok: 0, failed: 0, notSent: 0 };
  let inFlight = 0;
  const samples: BacklogSample[] = [];
  const fire = (i: number, dueAt: number) => {
    inFlight++;
    r.sent++;
    pool
      .request({ method: 'GET', path: `/items/${i}` })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode === 200) r.ok++;
        else r.failed++;
      })
      .catch(() => r.failed++)
      .finally(() => {
        latencies[i] = performance.now() - dueAt;
        inFlight--;
      });
  };
  const started = performance.now();
  const bound = started + seconds * 1000 + 5000;
  let nextSample = started + sampleEveryMs;
  let sampling: Promise<void> | null = null;
  let i = 0;
  while (i < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
    for (; i < due; i++) {
      if (inFlight >= CLIENT_MAX_IN_FLIGHT) r.notSent++;
      else fire(i, started + (i * 1000) / rate);
    }
    if (sample && now >= nextSample && !sampling) {
      nextSample += sampleEveryMs;
      const at = (now - started) / 1000;
      sampling = sample()
        .then((x) => void samples.push({ at, ...x }))
        .catch((error: unknown) => log(`    backlog sample failed: ${(error as Error).message}`))
        .finally(() => (sampling = null));
    }
    if (now > bound) break; // a stalled client loop cannot run past the bound
    await sleep(1);
  }
  const endedAt = performance.now();
  // The last requests finish (bounded).
  const flushDeadline = endedAt + 30_000;
  while (inFlight > 0 && performance.now() < flushDeadline) await sleep(5);
  if (sampling) await sampling;
  return { ...r, latencies, samples, endedAt, startedAt: started };
}

/** Per second of the load: requests over 10 ms and the worst latency, to see stalls. */
export interface SecondStats {
  second: number;
  over10ms: number;
  maxMs: number;
}

export function perSecond(latencies: Float64Array, rate: number): SecondStats[] {
  const out: SecondStats[] = [];
  latencies.forEach((l, i) => {
    const second = Math.floor(i / rate);
    const s = (out[second] ??= { second, over10ms: 0, maxMs: 0 });
    if (l > 10) s.over10ms++;
    if (l > s.maxMs) s.maxMs = l;
  });
  return out;
}


/** Latency percentiles of the requests that were sent, ms. */
export function latencyStats(latencies: Float64Array): { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number } {
  const sorted = latencies.filter((l) => Number.isFinite(l)).sort();
  return { p50Ms: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9), p99Ms: percentile(sorted, 0.99), maxMs: sorted[sorted.length - 1] ?? NaN };
}
