/**
 * Comparison rules, as written in the config file (`rules:`) and as resolved for one endpoint.
 * Paths are JSONPath-like patterns over the canonical difference paths:
 *   `$.meta.generatedAt`, `$..timestamp` (any depth), `$.items[*].etag`, `$.items[2]`, `$['odd key']`, `$.*.id`.
 */

export type ArrayMode = 'ordered' | 'unordered' | 'keyed';

export interface ArrayRule {
  /** Pattern of the array's path, e.g. `$.tags` or `$.orders[*].lines`. */
  path: string;
  mode: ArrayMode;
  /** For `keyed`: the member that identifies an element (e.g. `id`). */
  key?: string;
}

export interface ToleranceRule {
  path: string;
  /** |primary - shadow| <= absolute is no difference. */
  absolute?: number;
  /** |primary - shadow| <= relative * max(|primary|, |shadow|) is no difference. */
  relative?: number;
}

export interface HeaderRules {
  /** Not compared, on top of the volatile defaults. */
  ignore?: readonly string[];
  /** When set, only these headers are compared. */
  allow?: readonly string[];
}

/** The rules that apply to one endpoint: global ones merged with the endpoint's own. */
export interface ComparisonRules {
  ignore?: readonly string[];
  headers?: HeaderRules;
  arrays?: readonly ArrayRule[];
  tolerance?: readonly ToleranceRule[];
}

/** Budget of one comparison; past it the pair is skipped (`comparison_budget_exceeded`). */
export interface ComparisonBudget {
  /** JSON nodes (values) visited across both sides. */
  maxNodes: number;
  /** Wall-clock milliseconds for the body comparison. */
  maxMillis: number;
}
