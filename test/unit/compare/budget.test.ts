import { describe, expect, it } from 'vitest';
import { Budget, DEFAULT_BUDGET, MAX_ARRAY_MATCH_CELLS } from '../../../libs/compare/budget.js';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import type { CompareOptions } from '../../../libs/compare/compare-exchange.js';
import { ComparisonBudgetError } from '../../../libs/compare/errors.js';
import type { Comparison } from '../../../libs/compare/difference.js';
import { exchange } from './exchange-builder.js';
import type { ComparedExchange } from './exchange-builder.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function jsonPair(primary: string | object, shadow: string | object): ComparedExchange {
  return exchange({ headers: JSON_TYPE, body: primary }, { headers: JSON_TYPE, body: shadow });
}

/** The comparison, or the budget error it threw (anything else fails the test). */
function attempt(ex: ComparedExchange, opts: CompareOptions): { result?: Comparison; error?: ComparisonBudgetError; millis: number } {
  const started = performance.now();
  try {
    const result = compareExchange(ex, opts);
    return { result, millis: performance.now() - started };
  } catch (error) {
    if (!(error instanceof ComparisonBudgetError)) throw error;
    return { error, millis: performance.now() - started };
  }
}

describe('comparison budget', () => {
  const million = Array.from({ length: 1_000_000 }, (_, i) => i);
  const millionChanged = million.map((v) => (v === 999_000 ? -1 : v));
  const bigPair = jsonPair(million, millionChanged);

  it('has the documented defaults', () => {
    expect(DEFAULT_BUDGET).toEqual({ maxNodes: 2_000_000, maxMillis: 2000 });
    expect(new Budget({}).maxNodes).toBe(2_000_000);
    expect(new Budget({ maxMillis: 50 })).toMatchObject({ maxNodes: 2_000_000, maxMillis: 50 });
  });

  it('refuses a 1,000,000-element array pair over maxNodes quickly, before diffing', () => {
    const { error, millis } = attempt(bigPair, { budget: { maxNodes: 100_000 } });
    expect(error?.reason).toBe('JSON nodes exceed the limit of 100000 (both bodies together)');
    expect(millis).toBeLessThan(1500);
  });

  it('counts both bodies against the default limit (1,000,001 nodes each is over 2,000,000)', () => {
    const { error, millis } = attempt(bigPair, {});
    expect(error?.reason).toMatch(/nodes exceed the limit of 2000000/);
    expect(millis).toBeLessThan(1500);
  });

  it('compares a pair just under maxNodes', () => {
    const { result } = attempt(jsonPair({ ids: [1, 2, 3] }, { ids: [1, 2, 4] }), { budget: { maxNodes: 10 } });
    expect(result?.differences.map((d) => d.path)).toEqual(['$.ids[2]']);
    expect(attempt(jsonPair({ ids: [1, 2, 3] }, { ids: [1, 2, 4] }), { budget: { maxNodes: 9 } }).error).toBeInstanceOf(ComparisonBudgetError);
  });

  it('stops a comparison that outlasts maxMillis, whatever maxNodes allows', () => {
    const { error, millis } = attempt(bigPair, { budget: { maxNodes: 10_000_000, maxMillis: 50 } });
    expect(error?.reason).toBe('the comparison took more than 50 ms');
    expect(millis).toBeLessThan(3000);
  });

  it('refuses unordered arrays whose element matching would be quadratic', () => {
    const n = 3000;
    expect(n * n).toBeGreaterThan(MAX_ARRAY_MATCH_CELLS);
    const items = Array.from({ length: n }, (_, i) => ({ sku: `SKU-${i}`, qty: (i % 5) + 1 }));
    const rules = { arrays: [{ path: '$.items', mode: 'unordered' as const }] };
    const { error, millis } = attempt(jsonPair({ items }, { items: [...items].reverse() }), { rules });
    expect(error?.reason).toMatch(/^arrays of 3000 and 3000 elements differ too much to match/);
    expect(millis).toBeLessThan(2000);

    // The same arrays with their common head and tail trimmed away are cheap and compared.
    const shadow = items.map((item, i) => (i === 1500 ? { ...item, qty: 99 } : item));
    expect(attempt(jsonPair({ items }, { items: shadow }), { rules }).result?.differences.map((d) => [d.path, d.kind])).toEqual([
      ['$.items[1500]', 'field_removed'],
      ['$.items[1500]', 'field_added'],
    ]);
  });

  it('compares reordered keyed arrays under the matching bound', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, price: i / 4 }));
    const shadow = [...items].reverse().map((item) => (item.id === 10 ? { ...item, price: 0 } : item));
    const { result } = attempt(jsonPair({ items }, { items: shadow }), { rules: { arrays: [{ path: '$.items', mode: 'keyed', key: 'id' }] } });
    expect(result?.differences.map((d) => [d.path, d.primary, d.shadow])).toEqual([['$.items[10].price', 2.5, 0]]);
  });

  it.each([
    ['objects', (leaf: number) => `${'{"a":'.repeat(100_000)}${leaf}${'}'.repeat(100_000)}`, '.a'],
    ['arrays', (leaf: number) => `${'['.repeat(100_000)}${leaf}${']'.repeat(100_000)}`, '[0]'],
  ])('survives JSON %s nested 100,000 levels', (_name, deep, segment) => {
    const { result } = attempt(jsonPair(deep(1), deep(2)), { budget: { maxMillis: 30_000 } });
    expect(result?.differences).toHaveLength(1);
    expect(result?.differences[0]).toMatchObject({ kind: 'value_changed', primary: 1, shadow: 2, path: `$${segment.repeat(100_000)}` });
  });

  it('survives 100,000 levels of nested unordered arrays, hashing each level once', () => {
    const deep = (leaf: number) => `${'['.repeat(100_000)}${leaf}${']'.repeat(100_000)}`;
    const rules = { arrays: [{ path: '$', mode: 'unordered' as const }, { path: '$..*', mode: 'unordered' as const }] };
    const { result } = attempt(jsonPair(deep(1), deep(2)), { rules, budget: { maxMillis: 30_000 } });
    expect(result?.differences.map((d) => [d.path, d.kind])).toEqual([
      ['$[0]', 'field_removed'],
      ['$[0]', 'field_added'],
    ]);
    expect(attempt(jsonPair(deep(1), deep(1)), { rules, budget: { maxMillis: 30_000 } }).result?.differences).toEqual([]);
  });
});
