/**
 * Which fields are noise over a window: Diffy's rule (noise.ts) on the field rollups summed over the
 * window's buckets, against the exchanges compared with a secondary in the same buckets.
 */
import { sql } from 'drizzle-orm';
import { num, type Db } from '../db.js';
import { DEFAULT_NOISE_THRESHOLDS, isNoise, type NoiseThresholds } from '../noise.js';
import type { TimeWindow } from './types.js';
import { inSpans } from './window.js';

export interface FieldCounts {
  endpoint: string;
  field: string;
  shadowDiffs: number;
  secondaryDiffs: number;
  noise: boolean;
}

export interface WindowNoise {
  fields: FieldCounts[];
  /** Noise fields by endpoint; endpoints without any are absent. */
  noise: Map<string, Set<string>>;
}

const endpointFilter = (endpoint: string | undefined) => (endpoint === undefined ? sql`` : sql` and endpoint = ${endpoint}`);

/** Exchanges compared against a secondary, by endpoint: the N of the noise rule. */
export async function withSecondaryCounts(db: Db, run: string, window: TimeWindow | undefined, endpoint?: string): Promise<Map<string, number>> {
  const rows = await db.all<{ endpoint: string; n: unknown }>(sql`
    select endpoint, sum(with_secondary) as n from rollups
    where ${inSpans(run, window)}${endpointFilter(endpoint)} group by endpoint`);
  return new Map(rows.map((r) => [r.endpoint, num(r.n)]));
}

/** `withSecondary` may be passed when the caller already summed the rollups; `endpoint` narrows to one. */
export async function windowNoise(
  db: Db,
  run: string,
  opts: { window?: TimeWindow | undefined; noise?: NoiseThresholds | undefined; endpoint?: string; withSecondary?: Map<string, number> },
): Promise<WindowNoise> {
  const thresholds = opts.noise ?? DEFAULT_NOISE_THRESHOLDS;
  const [rows, withSecondary] = await Promise.all([
    db.all<Record<string, unknown>>(sql`
      select endpoint, field, sum(shadow_diffs) as shadow_diffs, sum(secondary_diffs) as secondary_diffs from field_rollups
      where ${inSpans(run, opts.window)}${endpointFilter(opts.endpoint)} group by endpoint, field`),
    opts.withSecondary ?? withSecondaryCounts(db, run, opts.window, opts.endpoint),
  ]);
  const fields: FieldCounts[] = [];
  const noise = new Map<string, Set<string>>();
  for (const r of rows) {
    const f = { endpoint: String(r.endpoint), field: String(r.field), shadowDiffs: num(r.shadow_diffs), secondaryDiffs: num(r.secondary_diffs) };
    const isNoiseField = isNoise(f.shadowDiffs, f.secondaryDiffs, withSecondary.get(f.endpoint) ?? 0, thresholds);
    fields.push({ ...f, noise: isNoiseField });
    if (isNoiseField) noise.set(f.endpoint, (noise.get(f.endpoint) ?? new Set()).add(f.field));
  }
  return { fields, noise };
}
