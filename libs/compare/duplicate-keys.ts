import type { Difference } from './difference.js';
import { ExactNumber } from './exact-number.js';
import { fieldOf, parseCanonicalPath } from './json-path.js';
import type { ParsedJson } from './parse-json.js';

/**
 * `duplicate_key` differences: a key that occurs more than once in an object on one side and not as
 * often at the same path on the other. Clients disagree on such objects (the first or the last value
 * wins, or the body is rejected), so a client may see something else. Values: how many times the key
 * occurs on each side (1 where it is not repeated, 0 where that side has no such key — the structural
 * diff then also reports it added or removed). Paths are each side's own: a repeat inside an element
 * that an unordered/keyed array rule matched at another index is reported at each side's index.
 */
export function duplicateKeyDifferences(primary: ParsedJson, shadow: ParsedJson): Omit<Difference, 'risk'>[] {
  if (primary.duplicates.size === 0 && shadow.duplicates.size === 0) return [];
  const paths = [...new Set([...primary.duplicates.keys(), ...shadow.duplicates.keys()])];
  const differences: Omit<Difference, 'risk'>[] = [];
  for (const path of paths) {
    const p = occurrences(primary, path);
    const s = occurrences(shadow, path);
    if (p !== s) differences.push({ path, field: fieldOf(path), kind: 'duplicate_key', primary: p, shadow: s });
  }
  return differences;
}

function occurrences(parsed: ParsedJson, path: string): number {
  const repeated = parsed.duplicates.get(path);
  if (repeated !== undefined) return repeated;
  let node: unknown = parsed.value;
  for (const segment of parseCanonicalPath(path)) {
    if (typeof node !== 'object' || node === null || node instanceof ExactNumber) return 0;
    if (Array.isArray(node) !== (typeof segment === 'number') || !Object.prototype.hasOwnProperty.call(node, segment)) return 0;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return 1;
}
