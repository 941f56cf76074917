import { create } from 'jsondiffpatch';
import type { Delta } from 'jsondiffpatch';
import type { Difference, DifferenceKind } from '../types/difference.js';
import { ComparisonBudgetError } from './errors.js';
import { riskOf } from './risk.js';

/**
 * Structural JSON comparison.
 *
 * jsondiffpatch computes the structural delta (its pipeline is iterative, so deep documents do not
 * overflow the stack). Before diffing, both documents are rewritten ("keyed") so that:
 * - arrays compare BY POSITION: an array becomes an object keyed `i0`, `i1`, … (jsondiffpatch's own
 *   array diff would match elements by LCS and report moves, which is not what a contract check wants);
 * - an array carries a marker key `a`, so `[]` against `{}` (or `[1]` against `{"0": 1}`) still
 *   yields a delta at that path and is reported as a type change;
 * - object keys are prefixed with `k`, so no JSON key can collide with the index keys or the marker,
 *   and `__proto__` is an ordinary key all the way through.
 * Key order is never a difference. Strings are compared whole: the default `jsondiffpatch` entry point
 * has no text-diff library, so it reports changed strings as plain replacements whatever their length.
 *
 * The delta is then walked (iteratively) alongside the original documents to classify each change.
 *
 * Arrays whose lengths differ get one `array_length` difference at the array's path, whose values are
 * the two LENGTHS (not the arrays, which may be large). The common prefix is compared element by
 * element; the extra elements are NOT reported as field_added/field_removed: they would repeat the
 * length change (and turn a shorter list into a high-risk "removed field").
 */

const differ = create({});

const ARRAY_MARKER = 'a';
const INDEX_PREFIX = 'i';
const KEY_PREFIX = 'k';

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'undefined';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'boolean' || type === 'number' || type === 'string' || type === 'object') return type;
  return 'undefined';
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Rewrite a parsed JSON document for a positional, collision-free diff (see the module comment). */
function keyed(root: unknown): unknown {
  if (!isContainer(root)) return root;
  const pending: Array<[source: object, target: Record<string, unknown>]> = [];
  const start = (source: object): Record<string, unknown> => {
    const target = Object.create(null) as Record<string, unknown>;
    pending.push([source, target]);
    return target;
  };
  const result = start(root);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    if (Array.isArray(source)) {
      target[ARRAY_MARKER] = true;
      source.forEach((item: unknown, index) => {
        target[INDEX_PREFIX + index] = isContainer(item) ? start(item) : item;
      });
    } else {
      for (const [key, item] of Object.entries(source)) {
        target[KEY_PREFIX + key] = isContainer(item) ? start(item) : item;
      }
    }
  }
  return result;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `.name` for identifiers, `['any key']` otherwise (backslash and quote escaped). */
function keySegment(key: string): string {
  if (IDENTIFIER.test(key)) return `.${key}`;
  return `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
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

/**
 * The differences between two parsed JSON documents, in document order.
 * Paths: `$`, `$.a.b`, `$['weird key']`, `$.items[3].price`; fields replace every index with `[*]`.
 * Throws ComparisonBudgetError when the documents cannot be diffed within the stack (RangeError).
 */
export function diffJson(primary: unknown, shadow: unknown): Difference[] {
  let delta: Delta;
  try {
    delta = differ.diff(keyed(primary), keyed(shadow));
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ComparisonBudgetError('JSON document too deeply nested to diff', { cause: error });
    }
    throw error;
  }

  const differences: Difference[] = [];
  const emit = (frame: Frame, kind: DifferenceKind, p: unknown, s: unknown): void => {
    const d = { path: frame.path, field: frame.field, kind, primary: p, shadow: s };
    differences.push({ ...d, risk: riskOf(d) });
  };

  const stack: Frame[] = delta === undefined ? [] : [{ delta, primary, shadow, path: '$', field: '$' }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { delta: node, primary: p, shadow: s } = frame;
    if (node === undefined) continue;

    if (Array.isArray(node)) {
      // Leaf delta: [added], [old, new], [old, 0, 0] (deleted). Values come from the originals.
      if (node.length === 1) emit(frame, 'field_added', null, s ?? null);
      else if (node.length === 3 && node[2] === 0) emit(frame, 'field_removed', p ?? null, null);
      else emit(frame, jsonType(p) === jsonType(s) ? 'value_changed' : 'type_changed', p ?? null, s ?? null);
      continue;
    }

    // Nested delta: both sides are containers.
    const pType = jsonType(p);
    if (pType !== jsonType(s)) {
      emit(frame, 'type_changed', p ?? null, s ?? null);
      continue;
    }

    const children: Frame[] = [];
    const entries = Object.entries(node as Record<string, Delta>);
    if (pType === 'array') {
      const pArray = p as unknown[];
      const sArray = s as unknown[];
      if (pArray.length !== sArray.length) emit(frame, 'array_length', pArray.length, sArray.length);
      const common = Math.min(pArray.length, sArray.length);
      for (const [key, child] of entries) {
        if (!key.startsWith(INDEX_PREFIX)) continue;
        const index = Number(key.slice(INDEX_PREFIX.length));
        if (!(index < common)) continue;
        children.push({
          delta: child,
          primary: pArray[index],
          shadow: sArray[index],
          path: `${frame.path}[${index}]`,
          field: `${frame.field}[*]`,
        });
      }
    } else {
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
  return differences;
}
