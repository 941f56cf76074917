/**
 * What both JSON diff paths (the direct walk of json-diff.ts and jsondiffpatch's of json-delta.ts)
 * agree on: the type of a node, when two leaves are equal, and the per-side state of a walk (budget,
 * rules and what the rules found).
 */
import type { Budget } from './budget.js';
import type { CompiledArrayRule, CompiledRules, NodeRules } from './compile-rules.js';
import { rulesAt } from './compile-rules.js';
import { ExactNumber } from './exact-number.js';
import type { MatchState, PathMatcher } from './json-path.js';

export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'undefined';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof ExactNumber) return 'number';
  const type = typeof value;
  if (type === 'boolean' || type === 'number' || type === 'string' || type === 'object') return type;
  return 'undefined';
}

/** An object or an array (an ExactNumber is a number, a leaf). */
export function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof ExactNumber);
}

/**
 * Two leaves are equal when they are the same value (`===`, so 0 and -0 are), or two ExactNumbers of
 * the same canonical value; an ExactNumber never equals a double.
 */
export function sameLeaf(a: unknown, b: unknown): boolean {
  return a === b || (a instanceof ExactNumber && b instanceof ExactNumber && a.canonical === b.canonical);
}

const NO_RULES: NodeRules = { ignored: false, array: undefined, tolerance: [] };

/** The state of one side's walk: budget, rules and what the rules found. */
export interface Walk {
  readonly budget: Budget;
  readonly rules: CompiledRules | undefined;
  readonly matcher: PathMatcher | null;
  /** Array rule ids that decided an array's mode (shared by both sides). */
  readonly hits: Set<string>;
  /** Tolerance rule ids with a number at a matching path on this side. */
  readonly numbers: Set<string>;
  /**
   * Canonical forms already computed, by container: hashing an element computes the forms of all its
   * descendants, which nested unordered/keyed arrays then reuse (each node's form depends only on the
   * node and its path, which is unique in a parsed document), so hashing stays linear.
   */
  readonly forms: Map<object, string>;
}

export function sideWalk(budget: Budget, rules: CompiledRules | undefined, hits: Set<string>): Walk {
  return { budget, rules, matcher: rules?.matcher ?? null, hits, numbers: new Set(), forms: new Map() };
}

export function here(walk: Walk, state: MatchState | null): NodeRules {
  return walk.rules === undefined || state === null ? NO_RULES : rulesAt(walk.rules, state);
}

/** The array rule that makes this array unordered or keyed, if any (an `ordered` rule changes nothing). */
export function matchingMode(rules: NodeRules): CompiledArrayRule | undefined {
  return rules.array !== undefined && rules.array.mode !== 'ordered' ? rules.array : undefined;
}
