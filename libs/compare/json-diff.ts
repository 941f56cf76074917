import type { Difference, DifferenceKind } from './difference.js';
import { Budget } from './budget.js';
import type { CompiledRules } from './compile-rules.js';
import { isJsonNumber } from './exact-number.js';
import { diffByDelta } from './json-delta.js';
import { here, isContainer, jsonType, matchingMode, sameLeaf, sideWalk, type Walk } from './json-nodes.js';
import type { MatchState, PathMatcher } from './json-path.js';
import { ANY_INDEX, keySegment } from './json-path.js';
import { riskOf } from './risk.js';

/**
 * Structural JSON comparison.
 *
 * Objects compare member by member (key order is never a difference): a member on one side only is
 * `field_removed` or `field_added`. Arrays compare BY POSITION: positional arrays whose lengths differ
 * get one `array_length` difference at the array's path, whose values are the two LENGTHS (not the
 * arrays, which may be large); the common prefix is compared element by element, and the extra
 * elements are NOT reported as field_added/field_removed (they would repeat the length change, and
 * turn a shorter list into a high-risk "removed field"). An object against an array, or a container
 * against a leaf, is a `type_changed`; two leaves differ by `value_changed` (same JSON type) or
 * `type_changed`. Strings compare whole. Numbers beyond a double are ExactNumbers (parse-json.ts):
 * leaves, equal when their canonical values are.
 *
 * Arrays that an array rule makes `unordered` or `keyed` are matched element by element instead, by
 * jsondiffpatch (json-delta.ts): matched elements are diffed recursively and reported at the PRIMARY
 * index (`$.items[2].price`); unmatched primary elements are `field_removed` at their primary index,
 * unmatched shadow elements `field_added` at their shadow index; moves are never differences and no
 * `array_length` is reported (the added and removed elements say it). Below such an array, indices
 * mean nothing, so patterns are matched there with the index unknown: `[*]` and `.*` match it, `[N]`
 * does not.
 *
 * Objects and positional arrays are walked here directly, without rebuilding the documents for
 * jsondiffpatch: one iterative pass over both documents (deep nesting cannot overflow the stack) that
 * finds the same differences, in the same order, as the whole-document jsondiffpatch path
 * (diffJsonByDelta), which a differential test holds it to. Where only one side has a subtree, it is
 * still read for the rules' hits, unless no rule can match below it.
 *
 * Budget: the nodes of both documents are counted first (over `maxNodes` throws ComparisonBudgetError
 * before anything else is done), and the clock is read every 1024 steps of every walk.
 */

export interface DiffJsonOptions {
  /** Compiled rules: array modes (and tolerance/array hits); ignore patterns only shape element matching. */
  rules?: CompiledRules;
  /** Without one, the diff is unlimited (apart from the stack). */
  budget?: Budget;
  /**
   * Receives the ids of the array rules that decided an array's mode and of the tolerance rules with a
   * number at a matching path on both sides (see compile-rules for what a hit is).
   */
  hits?: Set<string>;
}

/**
 * The differences between two parsed JSON documents, in document order.
 * Paths: `$`, `$.a.b`, `$['weird key']`, `$.items[3].price`; fields replace every index with `[*]`.
 * Rules: only the array rules change the result here; ignore and tolerance rules are applied to the
 * differences by compareExchange. Throws ComparisonBudgetError when the documents are beyond the budget
 * or cannot be diffed within the stack (RangeError).
 */
export function diffJson(primary: unknown, shadow: unknown, opts: DiffJsonOptions = {}): Difference[] {
  const budget = opts.budget ?? Budget.unlimited();
  const hits = opts.hits ?? new Set<string>();
  budget.countNodes(primary);
  budget.countNodes(shadow);
  const p = sideWalk(budget, opts.rules, hits);
  const s = sideWalk(budget, opts.rules, hits);
  const walk = new PairWalk(p, s);
  walk.run(primary, shadow);
  for (const id of p.numbers) if (s.numbers.has(id)) hits.add(id);
  budget.checkClock();
  return walk.differences;
}

/** Two containers of the same kind being compared: objects, or positional arrays. */
interface PairFrame {
  readonly p: Record<string, unknown> | unknown[];
  readonly s: Record<string, unknown> | unknown[];
  readonly path: string;
  readonly field: string;
  readonly state: MatchState | null;
  /** The primary object's keys; null for arrays. */
  readonly keys: string[] | null;
  /** Children to compare: the primary's keys, or the arrays' common prefix. */
  readonly end: number;
  next: number;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** One diffJson: both documents walked together, depth-first in the primary's order. */
class PairWalk {
  readonly differences: Difference[] = [];
  private readonly stack: PairFrame[] = [];
  private readonly budget: Budget;
  private readonly matcher: PathMatcher | null;
  /** The rules' state at the root. */
  private readonly initial: MatchState | null;

  constructor(
    private readonly p: Walk,
    private readonly s: Walk,
  ) {
    this.budget = p.budget;
    this.matcher = p.matcher;
    this.initial = p.matcher?.initial ?? null;
  }

  run(primary: unknown, shadow: unknown): void {
    const { stack } = this;
    this.visit(primary, shadow, null, '$');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as PairFrame;
      if (top.next < top.end) this.child(top, top.next++);
      else this.finish(stack.pop() as PairFrame);
    }
  }

  private next(state: MatchState | null, segment: string | number): MatchState | null {
    return this.matcher === null ? null : this.matcher.next(state, segment);
  }

  /** Child i of a frame: an element of the common prefix, or a member of the primary object. */
  private child(top: PairFrame, i: number): void {
    if (top.keys === null) {
      this.visit((top.p as unknown[])[i], (top.s as unknown[])[i], top, i);
      return;
    }
    const key = top.keys[i] as string;
    const value = (top.p as Record<string, unknown>)[key];
    if (hasOwn(top.s, key)) {
      this.visit(value, (top.s as Record<string, unknown>)[key], top, key);
    } else {
      this.scan(value, this.next(top.state, key), this.p);
      this.emit(top, key, 'field_removed', value, null);
    }
  }

  /** After the children: the shadow's own members (added), or the elements past the common prefix. */
  private finish(top: PairFrame): void {
    if (top.keys === null) {
      if (top.state === null) return;
      const p = top.p as unknown[];
      const s = top.s as unknown[];
      for (let i = top.end; i < p.length; i++) this.scan(p[i], this.next(top.state, i), this.p);
      for (let i = top.end; i < s.length; i++) this.scan(s[i], this.next(top.state, i), this.s);
      return;
    }
    const shadow = top.s as Record<string, unknown>;
    for (const key of Object.keys(shadow)) {
      if (hasOwn(top.p, key)) continue;
      this.scan(shadow[key], this.next(top.state, key), this.s);
      this.emit(top, key, 'field_added', null, shadow[key]);
    }
  }

  /**
   * One pair of values at the same path: the root (no parent), or a child of `parent` (its key or
   * index). Paths are only written out for a difference or a pair of containers.
   */
  private visit(p: unknown, s: unknown, parent: PairFrame | null, segment: string | number): void {
    this.budget.tick();
    this.budget.tick();
    // Most pairs are equal leaves where no rule applies.
    if (p === s && typeof p !== 'object' && (parent === null ? this.initial : parent.state) === null) return;
    const state = parent === null ? this.initial : this.next(parent.state, segment);
    const rules = here(this.p, state);
    const pContainer = isContainer(p);
    const sContainer = isContainer(s);
    if (pContainer && sContainer) {
      const isArray = Array.isArray(p);
      if (isArray === Array.isArray(s)) {
        if (isArray && rules.array !== undefined) {
          this.p.hits.add(rules.array.id);
          if (matchingMode(rules) !== undefined) {
            diffByDelta(p, s, { ...this.at(parent, segment), state }, this.p, this.s, this.differences);
            return;
          }
        }
        this.enter(p as Record<string, unknown> | unknown[], s as Record<string, unknown> | unknown[], parent, segment, state);
        return;
      }
    } else if (!pContainer && !sContainer) {
      if (rules.tolerance.length > 0) {
        if (isJsonNumber(p)) for (const rule of rules.tolerance) this.p.numbers.add(rule.id);
        if (isJsonNumber(s)) for (const rule of rules.tolerance) this.s.numbers.add(rule.id);
      }
      if (!sameLeaf(p, s)) this.emit(parent, segment, jsonType(p) === jsonType(s) ? 'value_changed' : 'type_changed', p, s);
      return;
    }
    // An object against an array, or a container against a leaf.
    this.scan(p, state, this.p);
    this.scan(s, state, this.s);
    this.emit(parent, segment, 'type_changed', p, s);
  }

  private enter(
    p: Record<string, unknown> | unknown[],
    s: Record<string, unknown> | unknown[],
    parent: PairFrame | null,
    segment: string | number,
    state: MatchState | null,
  ): void {
    const { path, field } = this.at(parent, segment);
    if (Array.isArray(p)) {
      const sLength = (s as unknown[]).length;
      if (p.length !== sLength) this.emit(parent, segment, 'array_length', p.length, sLength);
      this.stack.push({ p, s, path, field, state, keys: null, end: Math.min(p.length, sLength), next: 0 });
      return;
    }
    const keys = Object.keys(p);
    this.stack.push({ p, s, path, field, state, keys, end: keys.length, next: 0 });
  }

  /** The path and field of the root, or of a parent's child. */
  private at(parent: PairFrame | null, segment: string | number): { path: string; field: string } {
    if (parent === null) return { path: '$', field: '$' };
    if (typeof segment === 'number') return { path: `${parent.path}[${segment}]`, field: `${parent.field}[*]` };
    const written = keySegment(segment);
    return { path: parent.path + written, field: parent.field + written };
  }

  /**
   * A subtree on one side only, read for the rules' hits as jsondiffpatch's rewrite read it (array rules
   * that decide an array's mode, tolerance rules with a number); skipped where no rule can match.
   */
  private scan(root: unknown, rootState: MatchState | null, walk: Walk): void {
    if (rootState === null || this.matcher === null) return;
    const matcher = this.matcher;
    const pending: Array<[unknown, MatchState | null]> = [[root, rootState]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [value, state] = next;
      if (state === null) continue;
      this.budget.tick();
      const rules = here(walk, state);
      if (!isContainer(value)) {
        if (isJsonNumber(value)) for (const rule of rules.tolerance) walk.numbers.add(rule.id);
      } else if (Array.isArray(value)) {
        if (rules.array !== undefined) walk.hits.add(rules.array.id);
        const any = matchingMode(rules) !== undefined ? matcher.next(state, ANY_INDEX) : undefined;
        value.forEach((item: unknown, i) => pending.push([item, any === undefined ? matcher.next(state, i) : any]));
      } else {
        for (const [key, item] of Object.entries(value)) pending.push([item, matcher.next(state, key)]);
      }
    }
  }

  private emit(parent: PairFrame | null, segment: string | number, kind: DifferenceKind, primary: unknown, shadow: unknown): void {
    const d = { ...this.at(parent, segment), kind, primary, shadow };
    this.differences.push({ ...d, risk: riskOf(d) });
  }
}
