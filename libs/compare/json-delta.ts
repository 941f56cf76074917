import { createHash } from 'node:crypto';
import { create } from 'jsondiffpatch';
import type { Delta, DiffContext, Filter } from 'jsondiffpatch';
import type { Difference, DifferenceKind } from './difference.js';
import { Budget, MAX_ARRAY_MATCH_CELLS } from './budget.js';
import type { CompiledArrayRule, CompiledRules } from './compile-rules.js';
import { ComparisonBudgetError } from './errors.js';
import { ExactNumber, isJsonNumber } from './exact-number.js';
import type { MatchState, Segment } from './json-path.js';
import { ANY_INDEX, keySegment } from './json-path.js';
import { here, isContainer, jsonType, matchingMode, sideWalk, type Walk } from './json-nodes.js';
import { riskOf } from './risk.js';

/**
 * The jsondiffpatch path of the structural JSON comparison (what it compares: json-diff.ts). diffJson
 * walks objects and positional arrays itself and hands this module the pairs of arrays that an array
 * rule makes `unordered` or `keyed`, whose elements must be matched (an LCS over element hashes), with
 * everything below them. diffJsonByDelta sends whole documents this way: the reference the direct walk
 * is tested against.
 *
 * jsondiffpatch's pipeline is iterative, so deep values do not overflow the stack. Before diffing, both
 * values are rewritten ("keyed") so that:
 * - positional arrays compare BY POSITION: an array becomes an object keyed `i0`, `i1`, … (its own array
 *   diff would match elements by LCS and report moves); it carries a marker key `a`, so `[]` against `{}`
 *   (or `[1]` against `{"0": 1}`) still yields a delta at that path, reported as a type change;
 * - object keys are prefixed with `k`, so no JSON key can collide with the index keys or the marker,
 *   and `__proto__` is an ordinary key all the way through;
 * - ExactNumbers are leaves, compared by their canonical value (a filter before jsondiffpatch's own).
 * Strings are compared whole: the default entry point has no text-diff library.
 *
 * Unordered and keyed arrays stay real arrays, and jsondiffpatch matches their elements with its
 * documented mechanism, `objectHash`: each element's hash is computed while rewriting and looked up by
 * the hash function —
 * - `unordered`: a canonical form of the element (object keys sorted, members that an ignore rule
 *   covers left out, nested unordered/keyed arrays sorted), so elements match by deep equality as a
 *   multiset;
 * - `keyed`: the canonical form of `element[key]`; elements without the key fall back to the
 *   unordered hash.
 * The delta is then walked (iteratively) alongside the original values to classify each change.
 *
 * Budget: the clock is read every 1024 steps of every walk, jsondiffpatch's included (a filter at the
 * head of its diff pipe, and its property filter). Unordered/keyed arrays whose LCS table would exceed
 * MAX_ARRAY_MATCH_CELLS are refused before jsondiffpatch builds it.
 */

/** Hash of each element of an unordered/keyed array, by its rewritten object; read by objectHash. */
const elementHashes = new WeakMap<object, string>();
/** The budget of the diff in progress (diffJson is synchronous, so one at a time). */
let activeBudget: Budget | null = null;

const differ = create({
  objectHash: (item: object) => elementHashes.get(item),
  arrays: { detectMove: true, includeValueOnMove: false },
  // Called for every member of every object jsondiffpatch walks: reads the clock inside its loop over a
  // wide object (a rewritten array of a million elements), where no filter runs.
  propertyFilter: () => {
    activeBudget?.tick();
    return true;
  },
});

const budgetClock = ((_context: DiffContext) => {
  activeBudget?.tick();
}) as Filter<DiffContext>;
budgetClock.filterName = 'shadowDiffBudgetClock';

/** Same test as jsondiffpatch's matchItems (identity, or equal hashes for objects). */
function sameItem(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const hashA = elementHashes.get(a);
  return hashA !== undefined && hashA === elementHashes.get(b);
}

const arrayMatchGuard = ((context: DiffContext) => {
  const { left, right } = context;
  if (!Array.isArray(left) || !Array.isArray(right)) return;
  let head = 0;
  while (head < left.length && head < right.length && sameItem(left[head], right[head])) head++;
  let tail = 0;
  while (
    head + tail < left.length &&
    head + tail < right.length &&
    sameItem(left[left.length - 1 - tail], right[right.length - 1 - tail])
  ) {
    tail++;
  }
  const cells = (left.length - head - tail) * (right.length - head - tail);
  if (cells > MAX_ARRAY_MATCH_CELLS) {
    throw new ComparisonBudgetError(
      `arrays of ${left.length} and ${right.length} elements differ too much to match (${cells} pairs of elements, limit ${MAX_ARRAY_MATCH_CELLS})`,
    );
  }
}) as Filter<DiffContext>;
arrayMatchGuard.filterName = 'shadowDiffArrayMatchGuard';

/**
 * ExactNumbers (numbers beyond a double, see exact-number.ts) are leaves, equal when their values are:
 * decided here, before jsondiffpatch would walk them as objects. A side that is missing is left to
 * jsondiffpatch (an addition or a removal).
 */
const exactNumbers = ((context: DiffContext) => {
  const { left, right } = context;
  if (!(left instanceof ExactNumber) && !(right instanceof ExactNumber)) return;
  if (left === undefined || right === undefined) return;
  const same = left instanceof ExactNumber && right instanceof ExactNumber && left.canonical === right.canonical;
  context.setResult(same ? undefined : [left, right]).exit();
}) as Filter<DiffContext>;
exactNumbers.filterName = 'shadowDiffExactNumbers';

differ.processor.pipes.diff.prepend(exactNumbers);
differ.processor.pipes.diff.prepend(budgetClock);
differ.processor.pipes.diff.before('arrays', arrayMatchGuard);

const ARRAY_MARKER = 'a';
const INDEX_PREFIX = 'i';
const KEY_PREFIX = 'k';

/** The canonical form of a leaf: JSON text, or the canonical value of an ExactNumber. */
function leafForm(value: unknown): string {
  return value instanceof ExactNumber ? value.canonical : (JSON.stringify(value) ?? 'null');
}

type Pending = [source: object, target: Record<string, unknown> | unknown[], state: MatchState | null, rule: CompiledArrayRule | undefined];

/**
 * Rewrite a parsed JSON document for the diff (see the module comment), reading the budget's clock as it
 * goes and noting which array and tolerance rules find something in it. Elements of unordered/keyed
 * arrays get their hash (elementHashes) as they are rewritten.
 */
function keyed(root: unknown, walk: Walk, rootState: MatchState | null): unknown {
  const pending: Pending[] = [];
  const convert = (value: unknown, state: MatchState | null): unknown => {
    walk.budget.tick();
    const rules = here(walk, state);
    if (!isContainer(value)) {
      if (isJsonNumber(value)) for (const rule of rules.tolerance) walk.numbers.add(rule.id);
      return value;
    }
    let rule: CompiledArrayRule | undefined;
    if (Array.isArray(value) && rules.array !== undefined) {
      walk.hits.add(rules.array.id);
      rule = matchingMode(rules);
    }
    const target = rule === undefined ? (Object.create(null) as Record<string, unknown>) : [];
    pending.push([value, target, state, rule]);
    return target;
  };

  const result = convert(root, rootState);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target, state, rule] = next;
    const step = (segment: Segment): MatchState | null => (walk.matcher === null ? null : walk.matcher.next(state, segment));
    if (Array.isArray(target)) {
      const elements = source as unknown[];
      const elementState = step(ANY_INDEX);
      for (const item of elements) {
        const converted = convert(item, elementState);
        target.push(converted);
        // ExactNumbers too: jsondiffpatch matches any two objects by their hash.
        if (typeof converted === 'object' && converted !== null) {
          elementHashes.set(converted, elementHash(item as object, elementState, rule as CompiledArrayRule, walk));
        }
      }
    } else if (Array.isArray(source)) {
      target[ARRAY_MARKER] = true;
      source.forEach((item: unknown, index) => {
        target[INDEX_PREFIX + index] = convert(item, step(index));
      });
    } else {
      for (const [key, item] of Object.entries(source)) {
        target[KEY_PREFIX + key] = convert(item, step(key));
      }
    }
  }
  return result;
}

/** The hash by which jsondiffpatch matches an element of an unordered or keyed array. */
function elementHash(element: object, state: MatchState | null, rule: CompiledArrayRule, walk: Walk): string {
  if (
    rule.mode === 'keyed' &&
    rule.key !== undefined &&
    isContainer(element) &&
    !Array.isArray(element) &&
    Object.prototype.hasOwnProperty.call(element, rule.key)
  ) {
    const key = rule.key;
    const keyState = walk.matcher === null ? null : walk.matcher.next(state, key);
    return `K${canonical((element as Record<string, unknown>)[key], keyState, walk)}`;
  }
  return `V${canonical(element, state, walk)}`;
}

/** Canonical forms longer than this are replaced by their digest inside their parent's form. */
const MAX_INLINE_FORM = 64;

interface FormFrame {
  value: object;
  state: MatchState | null;
  /** Sorted keys of an object; null for an array. */
  keys: string[] | null;
  /** Whether this array's elements are compared as a multiset (unordered/keyed): its form is sorted. */
  unordered: boolean;
  next: number;
  parts: string[];
  /** What precedes this value's form in its parent's: `"key":` for members, '' for elements. */
  label: string;
}

/**
 * A canonical form of a JSON value, equal for values that the comparison would find equal apart from
 * order: object keys sorted, members covered by an ignore pattern shown as `~`, unordered/keyed arrays
 * sorted. Iterative (deep values do not overflow the stack); forms longer than MAX_INLINE_FORM are
 * replaced by their SHA-1 (in their parent's form and as the result), and the forms of containers are
 * memoized per walk, so the work stays linear in the size of the document.
 */
function canonical(root: unknown, rootState: MatchState | null, walk: Walk): string {
  if (here(walk, rootState).ignored) return '~';
  if (!isContainer(root)) return leafForm(root);
  const memo = walk.forms.get(root);
  if (memo !== undefined) return memo;
  const open = (value: object, state: MatchState | null, label: string): FormFrame => {
    const isArray = Array.isArray(value);
    return {
      value,
      state,
      keys: isArray ? null : Object.keys(value).sort(),
      unordered: isArray && matchingMode(here(walk, state)) !== undefined,
      next: 0,
      parts: [],
      label,
    };
  };
  const stack: FormFrame[] = [open(root, rootState, '')];
  for (;;) {
    const top = stack[stack.length - 1] as FormFrame;
    const length = top.keys === null ? (top.value as unknown[]).length : top.keys.length;
    if (top.next < length) {
      walk.budget.tick();
      const i = top.next++;
      const key = top.keys === null ? undefined : (top.keys[i] as string);
      const segment: Segment = key ?? (top.unordered ? ANY_INDEX : i);
      const child = key === undefined ? (top.value as unknown[])[i] : (top.value as Record<string, unknown>)[key];
      const state = walk.matcher === null ? null : walk.matcher.next(top.state, segment);
      const label = key === undefined ? '' : `${JSON.stringify(key)}:`;
      const known = isContainer(child) ? walk.forms.get(child) : undefined;
      if (here(walk, state).ignored) top.parts.push(`${label}~`);
      else if (known !== undefined) top.parts.push(label + known);
      else if (isContainer(child)) stack.push(open(child, state, label));
      else top.parts.push(label + leafForm(child));
      continue;
    }
    stack.pop();
    const parts = top.unordered ? top.parts.sort() : top.parts;
    let form = top.keys === null ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    if (form.length > MAX_INLINE_FORM) form = `#${createHash('sha1').update(form).digest('base64')}`;
    walk.forms.set(top.value, form);
    const parent = stack[stack.length - 1];
    if (parent === undefined) return form;
    parent.parts.push(top.label + form);
  }
}

function ownValue(container: unknown, key: string): unknown {
  return isContainer(container) && Object.prototype.hasOwnProperty.call(container, key)
    ? (container as Record<string, unknown>)[key]
    : undefined;
}

interface Frame {
  delta: Delta;
  primary: unknown;
  shadow: unknown;
  path: string;
  field: string;
}

/** Where a pair of values sits in the documents: the canonical path, the field, the rules' state. */
export interface At {
  path: string;
  field: string;
  state: MatchState | null;
}

/**
 * jsondiffpatch's diff of one pair of values (the documents' roots, or a pair of unordered/keyed arrays
 * the direct walk hands over), its differences appended to `out` in document order. Both sides are
 * rewritten first (see the module comment), noting the rules' hits in `p` and `s`. Throws
 * ComparisonBudgetError when the pair cannot be diffed within the stack (RangeError) or the budget.
 */
export function diffByDelta(primary: unknown, shadow: unknown, at: At, p: Walk, s: Walk, out: Difference[]): void {
  const { budget } = p;
  let delta: Delta;
  const previous = activeBudget;
  activeBudget = budget;
  try {
    const left = keyed(primary, p, at.state);
    const right = keyed(shadow, s, at.state);
    delta = differ.diff(left, right);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ComparisonBudgetError('JSON document too deeply nested to diff', { cause: error });
    }
    throw error;
  } finally {
    activeBudget = previous;
  }
  budget.checkClock();
  if (delta !== undefined) walkDelta({ delta, primary, shadow, path: at.path, field: at.field }, budget, out);
}

/**
 * The whole documents through jsondiffpatch, positional arrays included: how diffJson worked before its
 * direct walk, kept as the reference that walk is checked against (test/unit/compare/json-walk.test.ts).
 * Same options and result as diffJson.
 */
export function diffJsonByDelta(
  primary: unknown,
  shadow: unknown,
  opts: { rules?: CompiledRules; budget?: Budget; hits?: Set<string> } = {},
): Difference[] {
  const budget = opts.budget ?? Budget.unlimited();
  const hits = opts.hits ?? new Set<string>();
  const p = sideWalk(budget, opts.rules, hits);
  const s = sideWalk(budget, opts.rules, hits);
  budget.countNodes(primary);
  budget.countNodes(shadow);
  const out: Difference[] = [];
  diffByDelta(primary, shadow, { path: '$', field: '$', state: opts.rules?.matcher?.initial ?? null }, p, s, out);
  for (const id of p.numbers) if (s.numbers.has(id)) hits.add(id);
  return out;
}

/** Classify each change of a delta, walking it (iteratively) alongside the original values. */
function walkDelta(root: Frame, budget: Budget, differences: Difference[]): void {
  const emit = (frame: Frame, kind: DifferenceKind, p: unknown, s: unknown): void => {
    const d = { path: frame.path, field: frame.field, kind, primary: p, shadow: s };
    differences.push({ ...d, risk: riskOf(d) });
  };

  const stack: Frame[] = [root];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    budget.tick();
    const { delta: node, primary: p, shadow: s } = frame;
    if (node === undefined) continue;

    if (Array.isArray(node)) {
      // Leaf delta: [added], [old, new], [old, 0, 0] (deleted). Values come from the originals.
      if (node.length === 1) emit(frame, 'field_added', null, s ?? null);
      else if (node.length === 3 && node[2] === 0) emit(frame, 'field_removed', p ?? null, null);
      else if (node.length === 3 && node[2] === 3) continue; // a move: never a difference
      else emit(frame, jsonType(p) === jsonType(s) ? 'value_changed' : 'type_changed', p ?? null, s ?? null);
      continue;
    }

    // Nested delta: both sides are containers.
    const pType = jsonType(p);
    if (pType !== jsonType(s)) {
      emit(frame, 'type_changed', p ?? null, s ?? null);
      continue;
    }

    const entries = Object.entries(node as Record<string, Delta>);
    let children: Frame[];
    if ((node as Record<string, unknown>)._t === 'a') children = matchedArrayChildren(frame, entries, budget);
    else if (pType === 'array') {
      const pLength = (p as unknown[]).length;
      const sLength = (s as unknown[]).length;
      if (pLength !== sLength) emit(frame, 'array_length', pLength, sLength);
      children = positionalChildren(frame, entries);
    } else {
      children = [];
      for (const [key, child] of entries) {
        if (!key.startsWith(KEY_PREFIX)) continue;
        const name = key.slice(KEY_PREFIX.length);
        const segment = keySegment(name);
        children.push({
          delta: child,
          primary: ownValue(p, name),
          shadow: ownValue(s, name),
          path: frame.path + segment,
          field: frame.field + segment,
        });
      }
    }
    // Depth-first in document order: push the children reversed.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Frame);
  }
}

/** Children of a positional array's delta (the rewritten object `{a, i0, i1, …}`) over the common prefix. */
function positionalChildren(frame: Frame, entries: Array<[string, Delta]>): Frame[] {
  const pArray = frame.primary as unknown[];
  const sArray = frame.shadow as unknown[];
  const common = Math.min(pArray.length, sArray.length);
  const children: Frame[] = [];
  for (const [key, child] of entries) {
    if (!key.startsWith(INDEX_PREFIX)) continue;
    const index = Number(key.slice(INDEX_PREFIX.length));
    if (!(index < common)) continue;
    children.push({ delta: child, primary: pArray[index], shadow: sArray[index], path: `${frame.path}[${index}]`, field: `${frame.field}[*]` });
  }
  return children;
}

/**
 * Children of an unordered/keyed array's delta (jsondiffpatch's `{_t: 'a', …}`): `_i: [v, 0, 0]` removed
 * at primary index i, `_i: ['', j, 3]` moved from i to j, `j: [v]` added at shadow index j, `j: {…}` or
 * `j: [old, new]` a change inside the element now at shadow index j. The other elements were matched in
 * order (common head, LCS, common tail), so pairing the remaining primary and shadow indices in
 * ascending order recovers which primary element each change belongs to.
 */
function matchedArrayChildren(frame: Frame, entries: Array<[string, Delta]>, budget: Budget): Frame[] {
  const pArray = frame.primary as unknown[];
  const sArray = frame.shadow as unknown[];
  const removed = new Set<number>();
  const movedTo = new Map<number, number>(); // shadow index -> primary index
  const added = new Set<number>();
  const changed = new Map<number, Delta>(); // shadow index -> delta
  for (const [key, child] of entries) {
    if (key === '_t') continue;
    if (key.startsWith('_')) {
      const i = Number(key.slice(1));
      if (Array.isArray(child) && child[2] === 3) movedTo.set(child[1] as number, i);
      else removed.add(i);
    } else {
      const j = Number(key);
      if (Array.isArray(child) && child.length === 1) added.add(j);
      else changed.set(j, child);
    }
  }

  const toPrimary = new Map<number, number>(movedTo);
  if ([...changed.keys()].some((j) => !toPrimary.has(j))) {
    const movedFrom = new Set(movedTo.values());
    let i = 0;
    for (let j = 0; j < sArray.length; j++) {
      budget.tick();
      if (added.has(j) || movedTo.has(j)) continue;
      while (i < pArray.length && (removed.has(i) || movedFrom.has(i))) i++;
      toPrimary.set(j, i);
      i++;
    }
  }

  const byPrimary: Array<[number, Frame]> = [];
  for (const i of removed) {
    byPrimary.push([i, { delta: [pArray[i], 0, 0], primary: pArray[i], shadow: undefined, path: `${frame.path}[${i}]`, field: `${frame.field}[*]` }]);
  }
  for (const [j, child] of changed) {
    const i = toPrimary.get(j) as number;
    byPrimary.push([i, { delta: child, primary: pArray[i], shadow: sArray[j], path: `${frame.path}[${i}]`, field: `${frame.field}[*]` }]);
  }
  byPrimary.sort((a, b) => a[0] - b[0]);
  const additions = [...added].sort((a, b) => a - b);
  return [
    ...byPrimary.map(([, child]) => child),
    ...additions.map(
      (j): Frame => ({ delta: [sArray[j]], primary: undefined, shadow: sArray[j], path: `${frame.path}[${j}]`, field: `${frame.field}[*]` }),
    ),
  ];
}
