/** Percentiles of a few timed calls. */

export interface Timing {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest rank: the smallest sample with at least p of the samples at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function timingOf(samplesMs: readonly number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { calls: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted[sorted.length - 1] ?? NaN };
}

/** `warmup` untimed calls, then `calls` timed ones, one after the other; fn(i) gets the call's index. */
export async function timeCalls(fn: (i: number) => Promise<void>, warmup: number, calls: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn(warmup + i);
    samples.push(performance.now() - t0);
  }
  return timingOf(samples);
}
