/**
 * Latency histograms with fixed log-linear bins: 20 bins a decade from 0.1 ms, the last bin holding
 * everything from 60 s up. A percentile read from them is the upper bound of its bin: at most about
 * 12 % above the true value (10^(1/20)), whatever the traffic, at the cost of a few rows per bucket.
 */

const FLOOR_MS = 0.1;
const BINS_PER_DECADE = 20;
/** Bins 0..LAST_BIN; LAST_BIN holds 60 s and more. */
export const LAST_BIN = Math.ceil(Math.log10(60_000 / FLOOR_MS) * BINS_PER_DECADE);

/** The bin of a latency in ms: bin i holds (upper(i-1), upper(i)]; bin 0 everything up to 0.1 ms. */
export function binOf(ms: number): number {
  if (!(ms > FLOOR_MS)) return 0;
  const bin = Math.ceil(Math.log10(ms / FLOOR_MS) * BINS_PER_DECADE - 1e-9);
  return Math.min(LAST_BIN, Math.max(0, bin));
}

/** The upper bound of a bin in ms (the last bin's is 60 s). */
export function binUpperMs(bin: number): number {
  if (bin >= LAST_BIN) return 60_000;
  return Number((FLOOR_MS * 10 ** (bin / BINS_PER_DECADE)).toPrecision(4));
}

/** Nearest-rank percentile (p in 0..1) over bin counts; null when there are none. */
export function percentileOf(counts: ReadonlyMap<number, number>, p: number): number | null {
  const bins = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bin, n] of bins) {
    seen += n;
    if (seen >= rank) return binUpperMs(bin);
  }
  return binUpperMs(bins[bins.length - 1]?.[0] ?? LAST_BIN);
}
