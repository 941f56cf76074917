import type { ComparisonRules, HeaderRules } from './rules.js';

/**
 * The rules of one endpoint: the global rules merged with the endpoint's own. Lists are concatenated,
 * global first, so where order matters the endpoint has the last word (when several array rules match
 * the same array, the last one applies). The header allow list is not merged: the endpoint's replaces
 * the global one when it has one. Keys that neither side sets stay absent.
 */
export function mergeRules(global: ComparisonRules | undefined, endpoint: ComparisonRules | undefined): ComparisonRules {
  const g = global ?? {};
  const e = endpoint ?? {};
  const out: { -readonly [K in keyof ComparisonRules]: ComparisonRules[K] } = {};
  const concat = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined =>
    a === undefined && b === undefined ? undefined : [...(a ?? []), ...(b ?? [])];

  const ignore = concat(g.ignore, e.ignore);
  if (ignore !== undefined) out.ignore = ignore;

  if (g.headers !== undefined || e.headers !== undefined) {
    const headers: { -readonly [K in keyof HeaderRules]: HeaderRules[K] } = {};
    const headerIgnore = concat(g.headers?.ignore, e.headers?.ignore);
    if (headerIgnore !== undefined) headers.ignore = headerIgnore;
    const allow = e.headers?.allow ?? g.headers?.allow;
    if (allow !== undefined) headers.allow = [...allow];
    out.headers = headers;
  }

  const arrays = concat(g.arrays, e.arrays);
  if (arrays !== undefined) out.arrays = arrays;
  const tolerance = concat(g.tolerance, e.tolerance);
  if (tolerance !== undefined) out.tolerance = tolerance;
  return out;
}
