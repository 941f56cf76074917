import type { ArrayMode, ComparisonRules } from './rules.js';
import { RuleError } from './errors.js';
import type { MatchState, PathPattern } from './json-path.js';
import { cachedPathPattern, PathMatcher } from './json-path.js';

/**
 * Rule ids and "hits".
 *
 * Every rule has one stable id (ruleIds), and a comparison reports in `Comparison.ruleHits` the ids of
 * the rules that found something to act on in that exchange. The point is the opposite list: a rule
 * that never hits on an endpoint's traffic matches nothing there (a typo in a path, a header the
 * service never sends, a field that was renamed) and can be removed or fixed. A rule hits when:
 * - `ignore <pattern>`: the pattern removed at least one difference (every pattern matching a removed
 *   difference hits, not only the first);
 * - `header.ignore <name>`: the header was present on either side (whether or not it differed), so a
 *   rule on a header that the service never sends is reported dead;
 * - `header.allow <name>`: the header was present on either side (one id per allowed name, so each
 *   name of an allow list is reported on its own);
 * - `array <path>`: an array at a matching path was present on either side and this rule decided its
 *   mode (when several array rules match the same array, the last one wins — endpoint rules come after
 *   global ones — and only that one hits);
 * - `tolerance <path>`: a number was present at a matching path on both sides, whether or not the two
 *   numbers were within the tolerance.
 * Nothing hits when nothing is compared (a shadow error), and JSON rules hit only when both bodies are
 * JSON.
 */

export interface CompiledIgnore {
  readonly id: string;
  readonly pattern: PathPattern;
}

export interface CompiledArrayRule {
  readonly id: string;
  readonly pattern: PathPattern;
  readonly mode: ArrayMode;
  readonly key: string | undefined;
}

export interface CompiledTolerance {
  readonly id: string;
  readonly pattern: PathPattern;
  readonly absolute: number | undefined;
  readonly relative: number | undefined;
}

export interface CompiledHeaderRule {
  readonly id: string;
  /** Lower case. */
  readonly name: string;
}

/** Rules with their patterns parsed, ready for the comparison. Build with compileRules (cached). */
export interface CompiledRules {
  /** ruleIds(rules): every rule's id, in the order of the rules. */
  readonly ids: readonly string[];
  readonly ignore: readonly CompiledIgnore[];
  readonly arrays: readonly CompiledArrayRule[];
  readonly tolerance: readonly CompiledTolerance[];
  readonly headerIgnore: readonly CompiledHeaderRule[];
  /** Undefined when no allow list is set (every header is compared). */
  readonly headerAllow: readonly CompiledHeaderRule[] | undefined;
  /**
   * One matcher over the ignore, array and tolerance patterns (in that order), for the walks over the
   * documents; null when there are none.
   */
  readonly matcher: PathMatcher | null;
}

export const ruleId = {
  ignore: (pattern: string): string => `ignore ${pattern}`,
  headerIgnore: (name: string): string => `header.ignore ${name.toLowerCase()}`,
  headerAllow: (name: string): string => `header.allow ${name.toLowerCase()}`,
  array: (path: string): string => `array ${path}`,
  tolerance: (path: string): string => `tolerance ${path}`,
};

/**
 * One stable id per rule, in the order of the rules: `ignore <pattern>`, `header.ignore <name>`,
 * `header.allow <name>`, `array <path>`, `tolerance <path>` (header names lower-cased). Two rules that
 * would get the same id (the same pattern listed twice, globally and on the endpoint) share it.
 */
export function ruleIds(rules: ComparisonRules): string[] {
  const ids = [
    ...(rules.ignore ?? []).map(ruleId.ignore),
    ...(rules.headers?.ignore ?? []).map(ruleId.headerIgnore),
    ...(rules.headers?.allow ?? []).map(ruleId.headerAllow),
    ...(rules.arrays ?? []).map((rule) => ruleId.array(rule.path)),
    ...(rules.tolerance ?? []).map((rule) => ruleId.tolerance(rule.path)),
  ];
  return [...new Set(ids)];
}

const compiledCache = new WeakMap<ComparisonRules, CompiledRules>();

/**
 * Parse the rules' patterns once; cached per rules object, so the resolved rules of an endpoint are
 * compiled on their first comparison only. Throws RuleError on a pattern that does not parse or an
 * array rule that cannot be applied (validateRules reports the same problems at config load).
 */
export function compileRules(rules: ComparisonRules): CompiledRules {
  const cached = compiledCache.get(rules);
  if (cached !== undefined) return cached;

  const ignore = (rules.ignore ?? []).map((pattern) => ({ id: ruleId.ignore(pattern), pattern: cachedPathPattern(pattern) }));
  const arrays = (rules.arrays ?? []).map((rule): CompiledArrayRule => {
    if (rule.mode !== 'ordered' && rule.mode !== 'unordered' && rule.mode !== 'keyed') {
      throw new RuleError(`array rule ${rule.path}: unknown mode ${JSON.stringify(rule.mode)}`);
    }
    if (rule.mode === 'keyed' && (typeof rule.key !== 'string' || rule.key === '')) {
      throw new RuleError(`array rule ${rule.path}: mode "keyed" needs a key`);
    }
    return { id: ruleId.array(rule.path), pattern: cachedPathPattern(rule.path), mode: rule.mode, key: rule.key };
  });
  const tolerance = (rules.tolerance ?? []).map(
    (rule): CompiledTolerance => ({
      id: ruleId.tolerance(rule.path),
      pattern: cachedPathPattern(rule.path),
      absolute: rule.absolute,
      relative: rule.relative,
    }),
  );
  const header = (id: (name: string) => string) => (name: string) => ({ id: id(name), name: name.toLowerCase() });
  const patterns = [...ignore, ...arrays, ...tolerance].map((rule) => rule.pattern);

  const compiled: CompiledRules = {
    ids: ruleIds(rules),
    ignore,
    arrays,
    tolerance,
    headerIgnore: (rules.headers?.ignore ?? []).map(header(ruleId.headerIgnore)),
    headerAllow: rules.headers?.allow?.map(header(ruleId.headerAllow)),
    matcher: patterns.length === 0 ? null : new PathMatcher(patterns),
  };
  compiledCache.set(rules, compiled);
  return compiled;
}

/** What the rules say about one node of a document, from its matcher state. */
export interface NodeRules {
  /** An ignore pattern matches the node (so its whole subtree is ignored). */
  ignored: boolean;
  /** The array rule that applies to the node (the last matching one), if any. */
  array: CompiledArrayRule | undefined;
  /** The tolerance rules matching the node. */
  tolerance: CompiledTolerance[];
}

const NOTHING: NodeRules = Object.freeze({ ignored: false, array: undefined, tolerance: Object.freeze([]) as unknown as CompiledTolerance[] });

export function rulesAt(compiled: CompiledRules, state: MatchState | null): NodeRules {
  if (state === null || compiled.matcher === null) return NOTHING;
  const matching = compiled.matcher.matching(state);
  if (matching.length === 0) return NOTHING;
  const arraysFrom = compiled.ignore.length;
  const toleranceFrom = arraysFrom + compiled.arrays.length;
  let ignored = false;
  let array: CompiledArrayRule | undefined;
  const tolerance: CompiledTolerance[] = [];
  for (const index of matching) {
    if (index < arraysFrom) ignored = true;
    else if (index < toleranceFrom) array = compiled.arrays[index - arraysFrom];
    else {
      const rule = compiled.tolerance[index - toleranceFrom];
      if (rule !== undefined) tolerance.push(rule);
    }
  }
  return { ignored, array, tolerance };
}
