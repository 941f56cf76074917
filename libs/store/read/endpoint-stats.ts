/** Per-endpoint figures of a run over a window: counts, mismatches and risk after noise, fields, rules, latency. */
import type { Store } from '../open-store.js';
import { endpointCounts, skipCounts } from './counts.js';
import { latencyKey, latencyPercentiles, NO_LATENCY } from './latency.js';
import { windowNoise, type FieldCounts } from './noise-fields.js';
import { ruleCounts } from './rules.js';
import { mismatchesOf, signatureCounts, type Mismatches } from './signatures.js';
import { rate, type EndpointStats, type FieldStats, type ReportOptions } from './types.js';

const byImportance = (a: FieldStats, b: FieldStats) =>
  Number(a.noise) - Number(b.noise) || b.mismatches - a.mismatches || b.shadowDiffs - a.shadowDiffs || a.path.localeCompare(b.path);

function fieldsOf(endpoint: string, fields: readonly FieldCounts[], mismatches: Mismatches | undefined): FieldStats[] {
  return fields
    .filter((f) => f.endpoint === endpoint)
    .map((f) => ({
      path: f.field,
      mismatches: f.noise ? 0 : (mismatches?.fields.get(f.field) ?? 0),
      shadowDiffs: f.shadowDiffs,
      secondaryDiffs: f.secondaryDiffs,
      noise: f.noise,
    }))
    .sort(byImportance);
}

export async function endpointStats(store: Store, run: string, opts: ReportOptions = {}): Promise<EndpointStats[]> {
  const { db } = store;
  const [counts, skips, signatures, rules, latency] = await Promise.all([
    endpointCounts(db, run, opts.window),
    skipCounts(db, run, opts.window),
    signatureCounts(db, run, opts.window),
    ruleCounts(db, run, opts.window),
    latencyPercentiles(db, run, opts.window),
  ]);
  const withSecondary = new Map(counts.map((c) => [c.endpoint, c.withSecondary]));
  const { fields, noise } = await windowNoise(db, run, { ...opts, withSecondary });
  const mismatches = mismatchesOf(signatures, noise);
  return counts
    .map((c): EndpointStats => {
      const m = mismatches.get(c.endpoint);
      const mismatched = m?.mismatched ?? 0;
      return {
        endpoint: c.endpoint,
        compared: c.compared,
        mismatched,
        mismatchRate: rate(mismatched, c.compared),
        skipped: c.skipped,
        skippedByReason: skips.get(c.endpoint) ?? {},
        shadowErrors: c.shadowErrors,
        comparedWithSecondary: c.withSecondary,
        byRisk: m ? { ...m.byRisk } : { high: 0, medium: 0, low: 0 },
        latency: {
          primary: latency.get(latencyKey('primary', c.endpoint)) ?? { ...NO_LATENCY },
          shadow: latency.get(latencyKey('shadow', c.endpoint)) ?? { ...NO_LATENCY },
        },
        fields: fieldsOf(c.endpoint, fields, m),
        rules: rules.get(c.endpoint) ?? [],
      };
    })
    .sort((a, b) => b.mismatchRate - a.mismatchRate || b.compared - a.compared || a.endpoint.localeCompare(b.endpoint));
}

/** Noise fields per endpoint of a run over the window (only endpoints compared against a secondary have any). */
export async function noiseFields(store: Store, run: string, opts: ReportOptions = {}): Promise<Map<string, Set<string>>> {
  return (await windowNoise(store.db, run, opts)).noise;
}
