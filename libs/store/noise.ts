/**
 * Field-level noise, as Diffy decides it: a field differs for real only when the shadow differs from
 * the primary meaningfully more often than a second copy of the primary (the secondary) does.
 * With N exchanges compared against a secondary, s shadow differences and r secondary differences
 * at a field, the field is real when s > r, (s - r) / N > absolute threshold and (s - r) / s >
 * relative threshold; otherwise it is noise. Without a secondary nothing is noise.
 */
export interface NoiseThresholds {
  /** Percent of N. */
  absolute: number;
  /** Percent of the shadow differences. */
  relative: number;
}

export const DEFAULT_NOISE_THRESHOLDS: NoiseThresholds = Object.freeze({ absolute: 3, relative: 20 });

export function isNoise(shadowDiffs: number, secondaryDiffs: number, comparedWithSecondary: number, t: NoiseThresholds): boolean {
  if (comparedWithSecondary === 0 || secondaryDiffs === 0) return false;
  const excess = shadowDiffs - secondaryDiffs;
  if (excess <= 0) return true;
  return !((excess / comparedWithSecondary) * 100 > t.absolute && (excess / shadowDiffs) * 100 > t.relative);
}
