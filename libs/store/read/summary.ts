/** A run's totals over a window: the endpoints' rollups summed, mismatches after the window's noise. */
import type { Store } from '../open-store.js';
import { droppedCount, endpointCounts, mergeReasons, skipCounts } from './counts.js';
import { endpointCapStatus } from './endpoint-cap.js';
import { windowNoise } from './noise-fields.js';
import { mismatchesOf, signatureCounts } from './signatures.js';
import { rate, type ReportOptions, type RunSummary, type SkippedByReason } from './types.js';

export async function summary(store: Store, run: string, opts: ReportOptions = {}): Promise<RunSummary> {
  const { db } = store;
  const [counts, skips, dropped, signatures, endpointCap] = await Promise.all([
    endpointCounts(db, run, opts.window),
    skipCounts(db, run, opts.window),
    droppedCount(db, run, opts.window),
    signatureCounts(db, run, opts.window),
    endpointCapStatus(store, run, opts),
  ]);
  const withSecondary = new Map(counts.map((c) => [c.endpoint, c.withSecondary]));
  const { noise } = await windowNoise(db, run, { ...opts, withSecondary });
  let mismatched = 0;
  for (const m of mismatchesOf(signatures, noise).values()) mismatched += m.mismatched;
  const total = (k: 'compared' | 'skipped' | 'shadowErrors') => counts.reduce((a, c) => a + c[k], 0);
  const compared = total('compared');
  const skippedByReason: SkippedByReason = {};
  for (const reasons of skips.values()) mergeReasons(skippedByReason, reasons);
  return {
    run,
    compared,
    matched: compared - mismatched,
    mismatched,
    mismatchRate: rate(mismatched, compared),
    skipped: total('skipped'),
    shadowErrors: total('shadowErrors'),
    dropped,
    skippedByReason,
    endpointCap,
  };
}
