import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../../../libs/http/headers.js';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import type { CompareOptions } from '../../../libs/compare/compare-exchange.js';
import { RuleError } from '../../../libs/compare/errors.js';
import { MAX_DETAIL_BYTES } from '../../../libs/compare/line-diff.js';
import type { Comparison } from '../../../libs/compare/difference.js';
import type { ComparisonRules } from '../../../libs/compare/rules.js';
import { exchange } from './exchange-builder.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** An order as a checkout service returns it: volatile metadata, timestamps at several depths, line items. */
const order = {
  meta: { generatedAt: '2025-03-04T10:00:00.123Z', requestId: 'req-8c1f', version: 'v1' },
  timestamp: '2025-03-04T10:00:00Z',
  order: { id: 'ord-93', status: 'paid', total: 42.5, currency: 'EUR', score: 1000 },
  items: [
    { id: 11, sku: 'ESP-1', qty: 2, price: 1.2, etag: 'W/"a1"' },
    { id: 12, sku: 'PDN-4', qty: 1, price: 1.5, etag: 'W/"b2"' },
    { id: 13, sku: 'CAP-9', qty: 3, price: 2.8, etag: 'W/"c3"' },
  ],
  tags: ['breakfast', 'takeaway', 'loyalty'],
  events: [
    { type: 'created', timestamp: '2025-03-04T09:59:58Z' },
    { type: 'paid', timestamp: '2025-03-04T09:59:59Z', actor: { id: 'u-19', timestamp: '2025-03-04T09:59:59.5Z' } },
  ],
};
type Order = typeof order;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The shadow's order: a copy of the primary's, changed by `change`. */
function shadowOf(change: (o: Order) => void): Order {
  const copy = clone(order);
  change(copy);
  return copy;
}

function compare(
  primary: unknown,
  shadow: unknown,
  rules: ComparisonRules | undefined,
  headers: { primary?: HeaderMap; shadow?: HeaderMap } = {},
  opts: CompareOptions = {},
): Comparison {
  return compareExchange(
    exchange({ headers: { ...JSON_TYPE, ...headers.primary }, body: primary as object }, { headers: { ...JSON_TYPE, ...headers.shadow }, body: shadow as object }),
    { ...opts, rules },
  );
}

function summary(comparison: Comparison): Array<[string, string, unknown, unknown]> {
  return comparison.differences.map((d) => [d.path, d.kind, d.primary, d.shadow]);
}

describe('ignore rules', () => {
  it('removes the ignored field and nothing else', () => {
    const shadow = shadowOf((o) => {
      o.meta.generatedAt = '2025-03-04T10:00:02.777Z';
    });
    expect(summary(compare(order, shadow, undefined))).toEqual([['$.meta.generatedAt', 'value_changed', order.meta.generatedAt, shadow.meta.generatedAt]]);
    const result = compare(order, shadow, { ignore: ['$.meta.generatedAt'] });
    expect(result.differences).toEqual([]);
    expect(result.risk).toBeNull();
    expect(result.ruleHits).toEqual(['ignore $.meta.generatedAt']);
  });

  it('still catches the real regression next to an ignored field', () => {
    const shadow = shadowOf((o) => {
      o.meta.generatedAt = '2025-03-04T10:00:02.777Z';
      o.meta.version = 'v2';
      (o.meta as Record<string, unknown>).generatedAtZone = 'UTC';
      o.order.status = 'pending';
    });
    expect(summary(compare(order, shadow, { ignore: ['$.meta.generatedAt'] }))).toEqual([
      ['$.meta.version', 'value_changed', 'v1', 'v2'],
      ['$.meta.generatedAtZone', 'field_added', null, 'UTC'],
      ['$.order.status', 'value_changed', 'paid', 'pending'],
    ]);
  });

  it('ignores a whole subtree by its root (prefix semantics), removals included', () => {
    const shadow = shadowOf((o) => {
      o.meta = { generatedAt: 'later', version: 'v1' } as Order['meta'];
      o.order.total = 40;
    });
    expect(summary(compare(order, shadow, { ignore: ['$.meta'] }))).toEqual([['$.order.total', 'value_changed', 42.5, 40]]);
  });

  it('ignores $..timestamp at every depth, and only fields named so', () => {
    const shadow = shadowOf((o) => {
      o.timestamp = '2025-03-04T10:00:03Z';
      o.events[0]!.timestamp = '2025-03-04T09:59:59Z';
      o.events[1]!.actor!.timestamp = '2025-03-04T10:00:00.1Z';
      (o.events[1] as Record<string, unknown>).timestamps = ['2025-03-04T10:00:00Z'];
      o.order.total = 43;
    });
    const without = compare(order, shadow, undefined);
    expect(without.differences.map((d) => d.path)).toEqual([
      '$.timestamp',
      '$.order.total',
      '$.events[0].timestamp',
      '$.events[1].actor.timestamp',
      '$.events[1].timestamps',
    ]);
    const result = compare(order, shadow, { ignore: ['$..timestamp'] });
    expect(summary(result)).toEqual([
      ['$.order.total', 'value_changed', 42.5, 43],
      ['$.events[1].timestamps', 'field_added', null, ['2025-03-04T10:00:00Z']],
    ]);
    expect(result.ruleHits).toEqual(['ignore $..timestamp']);
  });

  it('ignores $.items[*].etag in every element but keeps the price change beside it', () => {
    const shadow = shadowOf((o) => {
      o.items.forEach((item, i) => {
        item.etag = `W/"z${i}"`;
      });
      o.items[1]!.price = 1.65;
    });
    expect(compare(order, shadow, undefined).differences).toHaveLength(4);
    expect(compare(order, shadow, { ignore: ['$.items[*].etag'] }).differences).toEqual([
      { path: '$.items[1].price', field: '$.items[*].price', kind: 'value_changed', primary: 1.5, shadow: 1.65, risk: 'medium' },
    ]);
  });

  it('never matches header, status, form or text paths', () => {
    const shadow = shadowOf((o) => {
      o.order.total = 1;
    });
    const result = compare(
      order,
      shadow,
      { ignore: ['$', '$..*'] },
      { primary: { 'cache-control': 'max-age=60' }, shadow: { 'cache-control': 'no-store' } },
    );
    expect(summary(result)).toEqual([['header.cache-control', 'header_changed', 'max-age=60', 'no-store']]);

    const text = { 'content-type': 'text/plain' };
    const textResult = compareExchange(exchange({ status: 200, headers: text, body: 'ok' }, { status: 201, headers: text, body: 'OK' }), {
      rules: { ignore: ['$', '$..*'] },
    });
    expect(textResult.differences.map((d) => d.path)).toEqual(['status', 'body']);
    expect(textResult.ruleHits).toEqual([]);
  });

  it('does not count an ignore pattern that matched no difference as a hit', () => {
    const shadow = shadowOf((o) => {
      o.order.total = 41;
    });
    const result = compare(order, shadow, { ignore: ['$.meta.generatedAt', '$.order.total'] });
    expect(result.differences).toEqual([]);
    expect(result.ruleHits).toEqual(['ignore $.order.total']);
  });
});

describe('header rules', () => {
  const headers = {
    primary: { 'x-served-by': 'cache-lis-1', 'cache-control': 'max-age=60', etag: '"v1"', vary: 'accept', connection: 'keep-alive' },
    shadow: { 'x-served-by': 'cache-lis-7', 'cache-control': 'no-store', etag: '"v2"', vary: 'accept-encoding', connection: 'close' },
  };

  it.each([
    ['no rules', undefined, ['header.cache-control', 'header.vary', 'header.x-served-by']],
    ['ignore (any case)', { headers: { ignore: ['X-Served-By'] } }, ['header.cache-control', 'header.vary']],
    ['ignore next to ignoreHeaders', { headers: { ignore: ['vary'] } }, ['header.cache-control']],
    ['allow', { headers: { allow: ['Cache-Control', 'content-type'] } }, ['header.cache-control']],
    ['allow a volatile header', { headers: { allow: ['etag', 'vary'] } }, ['header.etag', 'header.vary']],
    ['allow a hop-by-hop header', { headers: { allow: ['connection', 'vary'] } }, ['header.vary']],
    ['allow and ignore', { headers: { allow: ['cache-control', 'vary'], ignore: ['vary'] } }, ['header.cache-control']],
    ['allow nothing', { headers: { allow: [] } }, []],
  ] as const)('%s', (name, rules, paths) => {
    const opts = name === 'ignore next to ignoreHeaders' ? { ignoreHeaders: ['x-served-by'] } : {};
    const result = compare(order, order, rules as ComparisonRules | undefined, headers, opts);
    expect(result.differences.map((d) => d.path)).toEqual(paths);
  });

  it('counts a header rule as hit when the header is present on either side', () => {
    const result = compare(
      order,
      order,
      { headers: { ignore: ['x-served-by', 'x-powered-by'], allow: ['cache-control', 'x-api-version'] } },
      { primary: {}, shadow: { 'x-served-by': 'cache-lis-7', 'cache-control': 'no-store' } },
    );
    expect(result.ruleHits).toEqual(['header.ignore x-served-by', 'header.allow cache-control']);
    expect(result.differences.map((d) => d.path)).toEqual(['header.cache-control']);
  });
});

describe('tolerance rules', () => {
  const withTotal = (total: unknown) => shadowOf((o) => ((o.order as Record<string, unknown>).total = total));
  const withScore = (score: unknown) => shadowOf((o) => ((o.order as Record<string, unknown>).score = score));

  it.each([
    ['absolute: within', { path: '$.order.total', absolute: 0.01 }, withTotal(42.505), []],
    ['absolute: on the bound', { path: '$.order.total', absolute: 0.5 }, withTotal(43), []],
    ['absolute: just outside', { path: '$.order.total', absolute: 0.01 }, withTotal(42.52), [['$.order.total', 'value_changed', 42.5, 42.52]]],
    ['relative: within', { path: '$..score', relative: 0.001 }, withScore(1000.9), []],
    ['relative: just outside', { path: '$..score', relative: 0.001 }, withScore(1001.5), [['$.order.score', 'value_changed', 1000, 1001.5]]],
    ['relative: scaled by the larger side', { path: '$.order.score', relative: 0.5 }, withScore(2000), []],
    ['either bound suffices (relative)', { path: '$.order.score', absolute: 0.01, relative: 0.1 }, withScore(1050), []],
    ['either bound suffices (absolute)', { path: '$.order.total', absolute: 1, relative: 0.001 }, withTotal(43), []],
    ['neither bound', { path: '$.order.total', absolute: 0.1, relative: 0.001 }, withTotal(43), [['$.order.total', 'value_changed', 42.5, 43]]],
    ['exact match, not prefix', { path: '$.order', absolute: 100 }, withTotal(43), [['$.order.total', 'value_changed', 42.5, 43]]],
    ['a string is not a number', { path: '$.order.total', absolute: 100 }, withTotal('42.50'), [['$.order.total', 'type_changed', 42.5, '42.50']]],
    ['a null is not a number', { path: '$.order.total', absolute: 100 }, withTotal(null), [['$.order.total', 'type_changed', 42.5, null]]],
  ] as const)('%s', (_name, rule, shadow, expected) => {
    expect(summary(compare(order, shadow, { tolerance: [rule] }))).toEqual(expected);
  });

  it('forgives floating-point rounding at the bound (1.0 against 1.1 is within 0.1)', () => {
    const tolerance = [{ path: '$.rate', absolute: 0.1 }];
    expect(compare({ rate: 1.0 }, { rate: 1.1 }, { tolerance }).differences).toEqual([]);
    expect(summary(compare({ rate: 1.0 }, { rate: 1.1001 }, { tolerance }))).toEqual([['$.rate', 'value_changed', 1.0, 1.1001]]);
  });

  it('leaves strings at the path alone and applies through wildcards', () => {
    const shadow = shadowOf((o) => {
      o.items[0]!.price = 1.2000001;
      o.items[2]!.price = 2.9;
      o.items[1]!.sku = 'PDN-5';
    });
    const result = compare(order, shadow, { tolerance: [{ path: '$.items[*].price', absolute: 0.001 }, { path: '$.items[*].sku', absolute: 100 }] });
    expect(summary(result)).toEqual([
      ['$.items[1].sku', 'value_changed', 'PDN-4', 'PDN-5'],
      ['$.items[2].price', 'value_changed', 2.8, 2.9],
    ]);
    expect(result.ruleHits).toEqual(['tolerance $.items[*].price']);
  });
});

describe('unordered arrays', () => {
  const unordered = (path: string): ComparisonRules => ({ arrays: [{ path, mode: 'unordered' }] });

  it('matches a reordered array, which positional comparison reports', () => {
    const shadow = shadowOf((o) => {
      o.tags.reverse();
      o.items.reverse();
    });
    expect(compare(order, shadow, undefined).differences.length).toBeGreaterThan(0);
    const result = compare(order, shadow, { arrays: [{ path: '$.tags', mode: 'unordered' }, { path: '$.items', mode: 'unordered' }] });
    expect(result.differences).toEqual([]);
    expect(result.ruleHits).toEqual(['array $.tags', 'array $.items']);
  });

  it('ignores key order inside the elements', () => {
    const primary = { lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }] };
    const shadow = { lines: [{ qty: 2, sku: 'B' }, { qty: 1, sku: 'A' }] };
    expect(compare(primary, shadow, unordered('$.lines')).differences).toEqual([]);
  });

  it('reports a changed element as one removed (primary index) and one added (shadow index)', () => {
    const shadow = shadowOf((o) => {
      o.items.reverse();
      o.items[2]!.price = 1.25; // the primary's first item, now last
    });
    const result = compare(order, shadow, unordered('$.items'));
    expect(result.differences).toEqual([
      { path: '$.items[0]', field: '$.items[*]', kind: 'field_removed', primary: order.items[0], shadow: null, risk: 'high' },
      { path: '$.items[2]', field: '$.items[*]', kind: 'field_added', primary: null, shadow: { ...order.items[0], price: 1.25 }, risk: 'low' },
    ]);
  });

  it.each([
    ['same multiset in another order', ['a', 'b', 'a'], ['b', 'a', 'a'], []],
    ['one duplicate fewer', ['a', 'a', 'b'], ['b', 'a'], [['$.tags[0]', 'field_removed', 'a', null]]],
    ['one duplicate more', ['a', 'b'], ['a', 'b', 'b'], [['$.tags[2]', 'field_added', null, 'b']]],
    ['a duplicate swapped for another', ['a', 'b', 'a'], ['a', 'b', 'b'], [['$.tags[2]', 'field_removed', 'a', null], ['$.tags[2]', 'field_added', null, 'b']]],
    ['1 and "1" are different elements', [1, 2], [2, '1'], [['$.tags[0]', 'field_removed', 1, null], ['$.tags[1]', 'field_added', null, '1']]],
    ['emptied', ['a', 'b'], [], [['$.tags[0]', 'field_removed', 'a', null], ['$.tags[1]', 'field_removed', 'b', null]]],
  ] as const)('counts elements as a multiset: %s (no array_length)', (_name, p, s, expected) => {
    expect(summary(compare({ tags: p }, { tags: s }, unordered('$.tags')))).toEqual(expected);
  });

  it('compares nested unordered arrays as multisets too', () => {
    const primary = { orders: [{ id: 1, lines: ['x', 'y'] }, { id: 2, lines: ['z'] }] };
    const shadow = { orders: [{ id: 2, lines: ['z'] }, { id: 1, lines: ['y', 'x'] }] };
    const rules: ComparisonRules = { arrays: [{ path: '$.orders', mode: 'unordered' }, { path: '$.orders[*].lines', mode: 'unordered' }] };
    expect(compare(primary, shadow, rules).differences).toEqual([]);
    expect(compare(primary, shadow, unordered('$.orders')).differences.map((d) => d.kind)).toEqual(['field_removed', 'field_added']);
  });

  it('matches elements regardless of the fields an ignore rule covers', () => {
    const shadow = shadowOf((o) => {
      o.items.forEach((item, i) => {
        item.etag = `W/"z${i}"`;
      });
      o.items.reverse();
    });
    const result = compare(order, shadow, { ...unordered('$.items'), ignore: ['$.items[*].etag'] });
    expect(result.differences).toEqual([]);
    expect(result.ruleHits).toEqual(['ignore $.items[*].etag', 'array $.items']);
  });

  it('leaves arrays without a rule positional', () => {
    const shadow = shadowOf((o) => {
      o.tags.reverse();
      o.items.reverse();
    });
    const result = compare(order, shadow, unordered('$.tags'));
    expect(result.differences.every((d) => d.path.startsWith('$.items['))).toBe(true);
    expect(result.differences.length).toBeGreaterThan(0);
  });
});

describe('keyed arrays', () => {
  const keyed: ComparisonRules = { arrays: [{ path: '$.items', mode: 'keyed', key: 'id' }] };

  it('matches elements reordered by id', () => {
    const shadow = shadowOf((o) => {
      o.items = [o.items[2]!, o.items[0]!, o.items[1]!];
    });
    expect(compare(order, shadow, keyed).differences).toEqual([]);
  });

  it('reports a change inside a moved element at its primary index', () => {
    const shadow = shadowOf((o) => {
      o.items = [o.items[2]!, o.items[0]!, { ...o.items[1]!, price: 1.75 }];
    });
    expect(compare(order, shadow, keyed).differences).toEqual([
      { path: '$.items[1].price', field: '$.items[*].price', kind: 'value_changed', primary: 1.5, shadow: 1.75, risk: 'medium' },
    ]);
  });

  it('reports an element removed and one added', () => {
    const added = { id: 14, sku: 'TOS-2', qty: 1, price: 3.1, etag: 'W/"d4"' };
    const shadow = shadowOf((o) => {
      o.items = [o.items[2]!, added, o.items[0]!];
    });
    expect(summary(compare(order, shadow, keyed))).toEqual([
      ['$.items[1]', 'field_removed', order.items[1], null],
      ['$.items[1]', 'field_added', null, added],
    ]);
  });

  it('diffs matched elements recursively, with every change at the primary index', () => {
    const shadow = shadowOf((o) => {
      const [a, b, c] = o.items as [Order['items'][number], Order['items'][number], Order['items'][number]];
      a.qty = 5;
      delete (c as Partial<typeof c>).etag;
      o.items = [c, b, a];
    });
    expect(summary(compare(order, shadow, keyed))).toEqual([
      ['$.items[0].qty', 'value_changed', 2, 5],
      ['$.items[2].etag', 'field_removed', 'W/"c3"', null],
    ]);
  });

  it('falls back to deep equality for elements without the key', () => {
    const primary = { items: [{ id: 1, v: 'a' }, { note: 'gift wrap' }, { note: 'no cutlery' }] };
    const shadow = { items: [{ note: 'no cutlery' }, { id: 1, v: 'b' }, { note: 'gift wrapped' }] };
    expect(summary(compare(primary, shadow, keyed))).toEqual([
      ['$.items[0].v', 'value_changed', 'a', 'b'],
      ['$.items[1]', 'field_removed', { note: 'gift wrap' }, null],
      ['$.items[2]', 'field_added', null, { note: 'gift wrapped' }],
    ]);
  });

  it('applies to arrays nested in positional ones through a wildcard', () => {
    const primary = { orders: [{ lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 1 }] }] };
    const shadow = { orders: [{ lines: [{ sku: 'B', qty: 2 }, { sku: 'A', qty: 1 }] }] };
    const result = compare(primary, shadow, { arrays: [{ path: '$.orders[*].lines', mode: 'keyed', key: 'sku' }] });
    expect(summary(result)).toEqual([['$.orders[0].lines[1].qty', 'value_changed', 1, 2]]);
  });

  it('lets the last matching array rule decide (endpoint rules come after global ones)', () => {
    const shadow = shadowOf((o) => o.tags.reverse());
    const rules: ComparisonRules = { arrays: [{ path: '$..tags', mode: 'unordered' }, { path: '$.tags', mode: 'ordered' }] };
    const result = compare(order, shadow, rules);
    expect(result.differences.map((d) => d.path)).toEqual(['$.tags[0]', '$.tags[2]']);
    expect(result.ruleHits).toEqual(['array $.tags']);
  });
});

describe('text bodies: line diff detail', () => {
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  const config = ['# cafe.conf', 'listen 8080', 'workers 4', 'timeout 30s', 'cache on', 'log info', 'region eu-west-1', ''].join('\n');

  it('attaches a unified line diff with two lines of context', () => {
    const changed = config.replace('cache on', 'cache off');
    const result = compareExchange(exchange({ headers: text, body: config }, { headers: text, body: changed }));
    expect(result.differences).toEqual([
      {
        path: 'body',
        field: 'body',
        kind: 'text_differs',
        primary: config,
        shadow: changed,
        risk: 'medium',
        detail: ['--- primary', '+++ shadow', '@@ -3,5 +3,5 @@', ' workers 4', ' timeout 30s', '-cache on', '+cache off', ' log info', ' region eu-west-1', ''].join('\n'),
      },
    ]);
  });

  it('caps the detail at 16 KiB with a truncation marker, and keeps the values cut', () => {
    const lines = (tag: string) => Array.from({ length: 2000 }, (_, i) => `${i} ${tag} ☕ order line`).join('\n');
    const result = compareExchange(exchange({ headers: text, body: lines('primary') }, { headers: text, body: lines('shadow') }));
    const [d] = result.differences;
    expect(d?.kind).toBe('text_differs');
    expect(Buffer.byteLength(d?.detail ?? '')).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(d?.detail ?? '')).toBeGreaterThan(MAX_DETAIL_BYTES - 1024);
    expect(d?.detail).toMatch(/^--- primary\n\+\+\+ shadow\n@@ /);
    expect(d?.detail?.endsWith('\n… (truncated)')).toBe(true);
    expect(d?.primary).toBe(lines('primary').slice(0, 4096));
  });

  it('gives no detail to other kinds of difference', () => {
    const shadow = shadowOf((o) => (o.order.total = 1));
    expect(compare(order, shadow, undefined).differences[0]).not.toHaveProperty('detail');
  });
});

describe('ruleHits', () => {
  const rules: ComparisonRules = {
    ignore: ['$.meta.generatedAt', '$.meta.generated_at'],
    headers: { ignore: ['x-served-by', 'x-powered-by'] },
    arrays: [
      { path: '$.tags', mode: 'unordered' },
      { path: '$.labels', mode: 'unordered' },
    ],
    tolerance: [
      { path: '$.order.total', absolute: 0.01 },
      { path: '$.order.totl', absolute: 0.01 },
      { path: '$.order.currency', absolute: 0.01 },
    ],
  };

  it('lists the live rules and leaves out the dead ones', () => {
    const shadow = shadowOf((o) => {
      o.meta.generatedAt = 'later';
      o.tags.reverse();
    });
    const result = compare(order, shadow, rules, { primary: { 'x-served-by': 'a' }, shadow: { 'x-served-by': 'b' } });
    expect(result.differences).toEqual([]);
    // The tolerance on $.order.total hits although both totals are equal: a number was there to compare.
    expect(result.ruleHits).toEqual(['ignore $.meta.generatedAt', 'header.ignore x-served-by', 'array $.tags', 'tolerance $.order.total']);
  });

  it('is present only when rules are given, and empty when nothing was compared', () => {
    expect(compare(order, order, undefined)).not.toHaveProperty('ruleHits');
    expect(compare(order, order, {}).ruleHits).toEqual([]);
    const failed = { ...exchange({ headers: JSON_TYPE, body: order }, {}), shadow: null, shadowError: { code: 'timeout' as const, message: 'no response', latencyMs: 2000 } };
    expect(compareExchange(failed, { rules }).ruleHits).toEqual([]);
  });

  it('reports no JSON rule hits when the bodies are not both JSON', () => {
    const result = compareExchange(exchange({ headers: JSON_TYPE, body: order }, { headers: { 'content-type': 'text/html' }, body: '<p>oops</p>' }), { rules });
    expect(result.ruleHits).toEqual([]);
  });

  it('fails with a RuleError on rules that skipped validation', () => {
    expect(() => compare(order, order, { ignore: ['meta.generatedAt'] })).toThrow(RuleError);
  });
});
