import { describe, expect, it } from 'vitest';
import { ComparisonBudgetError } from '../../../libs/compare/errors.js';
import { diffJson } from '../../../libs/compare/json-diff.js';
import type { Difference } from '../../../libs/compare/difference.js';

/** The differences without risk, to keep the tables short (risk has its own tests). */
function diffs(primary: unknown, shadow: unknown): Omit<Difference, 'risk'>[] {
  return diffJson(primary, shadow).map(({ risk: _risk, ...rest }) => rest);
}

const review = {
  id: 7,
  title: 'Great espresso',
  rating: 5,
  author: { id: 'u-19', name: 'Ana', verified: true },
  tags: ['coffee', 'lisbon'],
  items: [
    { sku: 'ESP-1', price: 1.2, qty: 2 },
    { sku: 'PDN-4', price: 1.5, qty: 1 },
  ],
  reply: null,
};

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('diffJson', () => {
  it('finds nothing between equal documents, whatever the key order', () => {
    const reordered = {
      reply: null,
      items: [
        { qty: 2, price: 1.2, sku: 'ESP-1' },
        { price: 1.5, sku: 'PDN-4', qty: 1 },
      ],
      tags: ['coffee', 'lisbon'],
      author: { verified: true, name: 'Ana', id: 'u-19' },
      rating: 5,
      title: 'Great espresso',
      id: 7,
    };
    expect(diffJson(review, reordered)).toEqual([]);
  });

  it.each([
    ['value changed', { rating: 4 }, [{ path: '$.rating', field: '$.rating', kind: 'value_changed', primary: 5, shadow: 4 }]],
    ['string changed', { title: 'Good espresso' }, [{ path: '$.title', field: '$.title', kind: 'value_changed', primary: 'Great espresso', shadow: 'Good espresso' }]],
    ['boolean changed', { author: { ...review.author, verified: false } }, [{ path: '$.author.verified', field: '$.author.verified', kind: 'value_changed', primary: true, shadow: false }]],
    ['number became string', { id: '7' }, [{ path: '$.id', field: '$.id', kind: 'type_changed', primary: 7, shadow: '7' }]],
    ['null became object', { reply: { text: 'Thanks!' } }, [{ path: '$.reply', field: '$.reply', kind: 'type_changed', primary: null, shadow: { text: 'Thanks!' } }]],
    ['number became null', { rating: null }, [{ path: '$.rating', field: '$.rating', kind: 'type_changed', primary: 5, shadow: null }]],
    ['array became object', { tags: { 0: 'coffee', 1: 'lisbon' } }, [{ path: '$.tags', field: '$.tags', kind: 'type_changed', primary: ['coffee', 'lisbon'], shadow: { 0: 'coffee', 1: 'lisbon' } }]],
    ['object became array', { author: ['Ana'] }, [{ path: '$.author', field: '$.author', kind: 'type_changed', primary: review.author, shadow: ['Ana'] }]],
    ['field added', { helpful: 3 }, [{ path: '$.helpful', field: '$.helpful', kind: 'field_added', primary: null, shadow: 3 }]],
    ['nested object added', { meta: { source: 'app' } }, [{ path: '$.meta', field: '$.meta', kind: 'field_added', primary: null, shadow: { source: 'app' } }]],
    ['field removed', { title: undefined }, [{ path: '$.title', field: '$.title', kind: 'field_removed', primary: 'Great espresso', shadow: null }]],
    ['null field removed (null vs missing)', { reply: undefined }, [{ path: '$.reply', field: '$.reply', kind: 'field_removed', primary: null, shadow: null }]],
  ] as const)('%s', (_name, change, expected) => {
    const shadow: Record<string, unknown> = { ...clone(review), ...change };
    for (const key of Object.keys(shadow)) if (shadow[key] === undefined) delete shadow[key];
    expect(diffs(review, shadow)).toEqual(expected);
  });

  it('reports a field that appears as null as added (missing vs null)', () => {
    expect(diffs({ id: 1 }, { id: 1, deletedAt: null })).toEqual([
      { path: '$.deletedAt', field: '$.deletedAt', kind: 'field_added', primary: null, shadow: null },
    ]);
  });

  it('compares arrays by position and aggregates indices as [*]', () => {
    const shadow = clone(review);
    shadow.items[1]!.price = 1.75;
    shadow.items[0]!.qty = 3;
    expect(diffs(review, shadow)).toEqual([
      { path: '$.items[0].qty', field: '$.items[*].qty', kind: 'value_changed', primary: 2, shadow: 3 },
      { path: '$.items[1].price', field: '$.items[*].price', kind: 'value_changed', primary: 1.5, shadow: 1.75 },
    ]);
  });

  it('reports a reordered array as changes at each position, not as a move', () => {
    expect(diffs({ tags: ['coffee', 'lisbon'] }, { tags: ['lisbon', 'coffee'] })).toEqual([
      { path: '$.tags[0]', field: '$.tags[*]', kind: 'value_changed', primary: 'coffee', shadow: 'lisbon' },
      { path: '$.tags[1]', field: '$.tags[*]', kind: 'value_changed', primary: 'lisbon', shadow: 'coffee' },
    ]);
  });

  it('reports an inserted element as changes from that position on, plus the length', () => {
    expect(diffs({ ids: [1, 2, 3] }, { ids: [1, 9, 2, 3] })).toEqual([
      { path: '$.ids', field: '$.ids', kind: 'array_length', primary: 3, shadow: 4 },
      { path: '$.ids[1]', field: '$.ids[*]', kind: 'value_changed', primary: 2, shadow: 9 },
      { path: '$.ids[2]', field: '$.ids[*]', kind: 'value_changed', primary: 3, shadow: 2 },
    ]);
  });

  it.each([
    ['shorter', ['coffee', 'lisbon', 'brunch'], ['coffee', 'lisbon'], 3, 2],
    ['longer', ['coffee'], ['coffee', 'lisbon'], 1, 2],
    ['emptied', ['coffee'], [], 1, 0],
    ['filled', [], ['coffee'], 0, 1],
  ])('reports one array_length when the array got %s, and no added/removed elements', (_name, p, s, pLength, sLength) => {
    expect(diffJson({ tags: p }, { tags: s })).toEqual([
      { path: '$.tags', field: '$.tags', kind: 'array_length', primary: pLength, shadow: sLength, risk: 'medium' },
    ]);
  });

  it('compares nested arrays by position with [*] for every index', () => {
    const primary = { grid: [[1, 2], [3, 4]], rows: [{ cells: [{ v: 'a' }, { v: 'b' }] }] };
    const shadow = { grid: [[1, 2], [3, 5]], rows: [{ cells: [{ v: 'a' }, { v: 'c' }] }] };
    expect(diffs(primary, shadow)).toEqual([
      { path: '$.grid[1][1]', field: '$.grid[*][*]', kind: 'value_changed', primary: 4, shadow: 5 },
      { path: '$.rows[0].cells[1].v', field: '$.rows[*].cells[*].v', kind: 'value_changed', primary: 'b', shadow: 'c' },
    ]);
  });

  it.each([
    ['[] vs {}', { data: [] }, { data: {} }],
    ['[1] vs {"0": 1}', { data: [1] }, { data: { 0: 1 } }],
  ])('reports %s as a type change', (_name, primary, shadow) => {
    expect(diffs(primary, shadow)).toEqual([
      { path: '$.data', field: '$.data', kind: 'type_changed', primary: primary.data, shadow: shadow.data },
    ]);
  });

  it.each([
    ['equal numbers', 42, 42, []],
    ['numbers', 42, 43, [{ path: '$', field: '$', kind: 'value_changed', primary: 42, shadow: 43 }]],
    ['strings', 'ok', 'OK', [{ path: '$', field: '$', kind: 'value_changed', primary: 'ok', shadow: 'OK' }]],
    ['number vs string', 1, '1', [{ path: '$', field: '$', kind: 'type_changed', primary: 1, shadow: '1' }]],
    ['null vs false', null, false, [{ path: '$', field: '$', kind: 'type_changed', primary: null, shadow: false }]],
    ['scalar vs object', true, { ok: true }, [{ path: '$', field: '$', kind: 'type_changed', primary: true, shadow: { ok: true } }]],
    ['root arrays', [1, 2], [1, 3], [{ path: '$[1]', field: '$[*]', kind: 'value_changed', primary: 2, shadow: 3 }]],
  ])('compares root scalars and arrays: %s', (_name, primary, shadow, expected) => {
    expect(diffs(primary, shadow)).toEqual(expected);
  });

  it.each([
    ['a key with a space', 'weird key', "$['weird key']"],
    ['a key with a quote', "it's", "$['it\\'s']"],
    ['a key with a dot', 'a.b', "$['a.b']"],
    ['a key starting with a digit', '1st', "$['1st']"],
    ['a numeric key', '0', "$['0']"],
    ['an empty key', '', "$['']"],
    ['a key with a backslash', 'c:\\tmp', "$['c:\\\\tmp']"],
    ['__proto__', '__proto__', '$.__proto__'],
    ['constructor', 'constructor', '$.constructor'],
    ['an identifier with $ and _', '$_ok9', '$.$_ok9'],
  ])('quotes %s in paths', (_name, key, path) => {
    const primary = JSON.parse(`{${JSON.stringify(key)}: {"n": 1}}`) as unknown;
    const shadow = JSON.parse(`{${JSON.stringify(key)}: {"n": 2}}`) as unknown;
    expect(diffs(primary, shadow)).toEqual([{ path: `${path}.n`, field: `${path}.n`, kind: 'value_changed', primary: 1, shadow: 2 }]);
  });

  it('compares long strings whole', () => {
    const p = 'Crema was perfect. '.repeat(200);
    const s = `${p.slice(0, -1)}!`;
    expect(diffs({ body: p }, { body: s })).toEqual([{ path: '$.body', field: '$.body', kind: 'value_changed', primary: p, shadow: s }]);
  });

  it('attaches the risk of each kind', () => {
    const result = diffJson({ a: 1, b: 2, c: [1] }, { a: '1', c: [1, 2], d: 4 });
    expect(result.map((d) => [d.path, d.kind, d.risk])).toEqual([
      ['$.a', 'type_changed', 'high'],
      ['$.b', 'field_removed', 'high'],
      ['$.c', 'array_length', 'medium'],
      ['$.d', 'field_added', 'low'],
    ]);
  });

  it.each([
    ['objects', (leaf: unknown) => ({ child: leaf }), '.child'],
    ['arrays', (leaf: unknown) => [leaf], '[0]'],
  ])('survives 20,000 levels of nested %s: a result or a ComparisonBudgetError', (_name, wrap, segment) => {
    const depth = 20_000;
    let primary: unknown = 1;
    let shadow: unknown = 2;
    for (let i = 0; i < depth; i++) {
      primary = wrap(primary);
      shadow = wrap(shadow);
    }
    let result: Difference[];
    try {
      result = diffJson(primary, shadow);
    } catch (error) {
      expect(error).toBeInstanceOf(ComparisonBudgetError);
      expect((error as ComparisonBudgetError).reason).not.toBe('');
      return;
    }
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ kind: 'value_changed', primary: 1, shadow: 2, path: `$${segment.repeat(depth)}` });
  });
});

describe('ComparisonBudgetError', () => {
  it('is an Error carrying its reason', () => {
    const error = new ComparisonBudgetError('JSON document too deeply nested to diff');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ComparisonBudgetError');
    expect(error.reason).toBe('JSON document too deeply nested to diff');
    expect(error.message).toContain('too deeply nested');
  });
});
