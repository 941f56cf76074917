/** What the comparator says about one exchange. Shared by the diff library, the store and the report API. */

export const DIFFERENCE_KINDS = [
  'status_changed',
  'header_changed',
  'header_added',
  'header_removed',
  'value_changed',
  'type_changed',
  'field_added',
  'field_removed',
  'duplicate_key',
  'array_length',
  'body_type_changed',
  'text_differs',
  'binary_differs',
  'shadow_error',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

export interface Difference {
  /** Canonical path of this occurrence: `status`, `header.etag`, `$.items[3].price`, `body`. */
  path: string;
  /** The path aggregated per endpoint: array indices become `[*]`, e.g. `$.items[*].price`. */
  field: string;
  kind: DifferenceKind;
  /** The primary's value (JSON-safe; undefined is represented as null with the kind saying added/removed). */
  primary: unknown;
  shadow: unknown;
  risk: Risk;
  /** Extra evidence, e.g. a unified line diff of two text bodies. */
  detail?: string;
}

export interface Comparison {
  differences: Difference[];
  /** Highest risk among the differences; null when they match. */
  risk: Risk | null;
  /**
   * Ids of the comparison rules that acted on this exchange (see ruleIds in libs/compare/compile-rules.ts);
   * present when the comparison was given rules.
   */
  ruleHits?: string[];
}
