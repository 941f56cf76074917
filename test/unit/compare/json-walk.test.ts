import { describe, expect, it } from 'vitest';
import { compileRules } from '../../../libs/compare/compile-rules.js';
import { diffJsonByDelta } from '../../../libs/compare/json-delta.js';
import { diffJson } from '../../../libs/compare/json-diff.js';
import { parseJson } from '../../../libs/compare/parse-json.js';
import type { ComparisonRules } from '../../../libs/compare/rules.js';

/**
 * Differential test: diffJson's direct walk against the whole-document jsondiffpatch path it replaced
 * (diffJsonByDelta), on generated pairs of documents (a seeded PRNG, so every run sees the same ones):
 * the same differences in the same order, and the same rule hits.
 */

/** mulberry32: small, seedable, good enough to generate test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Node = { t: 'obj'; entries: [string, Node][] } | { t: 'arr'; items: Node[] } | { t: 'lit'; text: string };

const KEYS = ['id', 'name', 'price', 'items', 'tags', 'a', 'b', '0', '10', '__proto__', 'constructor', 'weird key', "it's"];
/** Literals, big numbers among them (ExactNumbers once parsed), and pairs that parse to the same value. */
const LITERALS = [
  '0', '-0', '1', '2', '100', '1E2', '1.5', '-3.25', '2.5e-3', '12345678901234567890', '12345678901234567891',
  '-98765432109876543210', '1e400', '1.00000000000000000001', '1.000000000000000000010', '0.1000000000000000055511151231257827',
  'true', 'false', 'null', '""', '"x"', '"y"', '"19.99"', '"a longer string value"',
];

class Generator {
  constructor(private readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  node(depth: number): Node {
    const roll = this.random();
    if (depth <= 0 || roll < 0.4) return { t: 'lit', text: this.pick(LITERALS) };
    if (roll < 0.7) {
      const keys = [...new Set(Array.from({ length: this.int(6) }, () => this.pick(KEYS)))];
      return { t: 'obj', entries: keys.map((key) => [key, this.node(depth - 1)]) };
    }
    // Arrays of records with ids (for keyed rules), or of anything.
    if (this.chance(0.3)) return { t: 'arr', items: Array.from({ length: this.int(6) }, (_, i) => this.record(i, depth - 1)) };
    return { t: 'arr', items: Array.from({ length: this.int(7) }, () => this.node(depth - 1)) };
  }

  record(i: number, depth: number): Node {
    const entries: [string, Node][] = [['id', { t: 'lit', text: String(this.int(4) + i) }]];
    if (this.chance(0.8)) entries.push(['price', { t: 'lit', text: this.pick(LITERALS.slice(0, 12)) }]);
    if (this.chance(0.5)) entries.push(['name', this.node(Math.min(depth, 1))]);
    if (this.chance(0.3)) entries.push(['tags', { t: 'arr', items: Array.from({ length: this.int(4) }, () => ({ t: 'lit', text: this.pick(LITERALS) })) }]);
    return { t: 'obj', entries };
  }

  /** The shadow: the primary with some changes (values, types, members, lengths, order). */
  mutate(node: Node, depth: number): Node {
    if (this.chance(0.06)) return this.node(depth);
    if (node.t === 'lit') return this.chance(0.15) ? { t: 'lit', text: this.pick(LITERALS) } : node;
    if (node.t === 'arr') {
      const items = node.items.map((item) => this.mutate(item, depth - 1));
      if (this.chance(0.1)) items.reverse();
      if (this.chance(0.15)) items.push(this.node(depth - 1));
      if (this.chance(0.15) && items.length > 0) items.splice(this.int(items.length), 1);
      return { t: 'arr', items };
    }
    let entries = node.entries.filter(() => !this.chance(0.08)).map(([key, value]): [string, Node] => [key, this.mutate(value, depth - 1)]);
    if (this.chance(0.15)) {
      const key = this.pick(KEYS);
      if (!entries.some(([k]) => k === key)) entries.push([key, this.node(depth - 1)]);
    }
    if (this.chance(0.2)) entries = [...entries].reverse();
    return { t: 'obj', entries };
  }
}

function text(node: Node): string {
  if (node.t === 'lit') return node.text;
  if (node.t === 'arr') return `[${node.items.map(text).join(',')}]`;
  return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${text(value)}`).join(',')}}`;
}

const RULE_SETS: Array<[string, ComparisonRules | undefined]> = [
  ['no rules', undefined],
  ['tolerance and an unordered array', { arrays: [{ path: '$..tags', mode: 'unordered' }], tolerance: [{ path: '$..price', absolute: 0.01 }] }],
  [
    'keyed and ordered arrays, ignore, tolerance',
    {
      arrays: [
        { path: '$.items', mode: 'keyed', key: 'id' },
        { path: '$..b', mode: 'ordered' },
      ],
      ignore: ['$..name'],
      tolerance: [{ path: '$.items[*].price', relative: 0.1 }],
    },
  ],
  ['unordered everywhere below the root', { arrays: [{ path: '$..*', mode: 'unordered' }], ignore: ['$..constructor'] }],
  ['rules that match at fixed indices', { arrays: [{ path: '$[1]', mode: 'keyed', key: 'id' }], tolerance: [{ path: '$[0]', absolute: 5 }] }],
];

describe('diffJson against the jsondiffpatch path (differential)', () => {
  it.each(RULE_SETS)('finds the same differences, in the same order, with the same hits: %s', (_name, rules) => {
    const compiled = rules === undefined ? undefined : compileRules(rules);
    const gen = new Generator(prng(1409));
    const kinds = new Set<string>();
    let differing = 0;
    let hitting = 0;
    for (let i = 0; i < 1500; i++) {
      const primaryNode = gen.node(4);
      const shadowNode = gen.mutate(primaryNode, 4);
      const primary = parseJson(text(primaryNode)).value;
      const shadow = parseJson(text(shadowNode)).value;
      const walkHits = new Set<string>();
      const deltaHits = new Set<string>();
      const walked = diffJson(primary, shadow, { rules: compiled, hits: walkHits });
      const expected = diffJsonByDelta(primary, shadow, { rules: compiled, hits: deltaHits });
      expect(walked, `pair ${i}: ${text(primaryNode)} / ${text(shadowNode)}`).toStrictEqual(expected);
      expect([...walkHits].sort(), `hits of pair ${i}`).toStrictEqual([...deltaHits].sort());
      if (walked.length > 0) differing++;
      if (walkHits.size > 0) hitting++;
      for (const d of walked) kinds.add(d.kind);
    }
    // The generated pairs exercise what they are meant to: most differ, in every way diffJson reports.
    expect(differing).toBeGreaterThan(500);
    expect([...kinds].sort()).toEqual(['array_length', 'field_added', 'field_removed', 'type_changed', 'value_changed']);
    if (compiled !== undefined) expect(hitting).toBeGreaterThan(100);
  });

  it('agrees on documents that differ only deep down, and on equal documents', () => {
    const gen = new Generator(prng(77));
    for (let i = 0; i < 200; i++) {
      const node = gen.node(6);
      const primary = parseJson(text(node)).value;
      const same = parseJson(text(node)).value;
      expect(diffJson(primary, same)).toStrictEqual([]);
      expect(diffJsonByDelta(primary, same)).toStrictEqual([]);
      const deep = { wrapper: [{ inner: primary }] };
      const changed = { wrapper: [{ inner: parseJson(text(gen.mutate(node, 6))).value }] };
      expect(diffJson(deep, changed)).toStrictEqual(diffJsonByDelta(deep, changed));
    }
  });
});
