/**
 * JSON numbers compared by their exact value, and duplicate keys, through compareExchange on raw
 * JSON texts (the bodies are written by hand: JSON.stringify could not even produce them).
 */
import { describe, expect, it } from 'vitest';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import type { Comparison } from '../../../libs/compare/difference.js';
import type { ComparisonRules } from '../../../libs/compare/rules.js';
import { exchange } from './exchange-builder.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function compare(primary: string, shadow: string, rules?: ComparisonRules): Comparison {
  return compareExchange(exchange({ headers: JSON_TYPE, body: primary }, { headers: JSON_TYPE, body: shadow }), rules === undefined ? {} : { rules });
}

function summary(comparison: Comparison): Array<[string, string, unknown, unknown]> {
  return comparison.differences.map((d) => [d.path, d.kind, d.primary, d.shadow]);
}

describe('numbers are compared by their exact value', () => {
  it('tells apart integers past 2^53 that a double rounds to the same value', () => {
    const result = compare('{"account":9007199254740992}', '{"account":9007199254740993}');
    // 2^53 is a double exactly: shown as a number; 2^53 + 1 is not: shown as its literal text.
    expect(summary(result)).toEqual([['$.account', 'value_changed', 9007199254740992, '9007199254740993']]);
    expect(result.risk).toBe('medium');
  });

  // A number a double holds exactly is shown as a number; any other as its literal text.
  it.each([
    ['beyond the double range', '1e400', '1e399', '1e400', '1e399'],
    ['beyond the double range, negative', '-1e400', '-1e401', '-1e400', '-1e401'],
    ['below the smallest double', '1e-400', '2e-400', '1e-400', '2e-400'],
    ['with more digits than a double holds', '0.1', '0.10000000000000000001', 0.1, '0.10000000000000000001'],
    ['with long integers', '123456789012345678901234567890', '123456789012345678901234567891', '123456789012345678901234567890', '123456789012345678901234567891'],
    ['with exponents no double holds', '1e99999999999999999999', '1e99999999999999999998', '1e99999999999999999999', '1e99999999999999999998'],
  ])('tells apart numbers %s (%s, %s)', (_name, p, s, shownP, shownS) => {
    const result = compare(`{"n":${p}}`, `{"n":${s}}`);
    expect(summary(result)).toEqual([['$.n', 'value_changed', shownP, shownS]]);
  });

  it.each([
    ['1.0', '1'],
    ['1e2', '100'],
    ['100.00', '1E+2'],
    ['-0', '0'],
    ['0.5', '5e-1'],
    ['1e400', '10e399'],
    ['9007199254740993', '9007199254740993.000'],
    ['12345678901234567890', '1.2345678901234567890e19'],
    ['1e99999999999999999999', '1e99999999999999999999'],
    ['0.10000000000000000001', '1.0000000000000000001e-1'],
  ])('finds %s and %s equal', (p, s) => {
    expect(compare(`{"n":${p},"list":[${p}]}`, `{"n":${s},"list":[${s}]}`).differences).toEqual([]);
  });

  it('reports a big number against a string or an object as a type change, values faithful', () => {
    const result = compare('{"a":9007199254740993,"b":{"c":1e400}}', '{"a":"9007199254740993","b":1e400}');
    expect(summary(result)).toEqual([
      ['$.a', 'type_changed', '9007199254740993', '9007199254740993'],
      ['$.b', 'type_changed', { c: '1e400' }, '1e400'],
    ]);
  });

  it('keeps big numbers faithful in removed and added values', () => {
    const result = compare('{"gone":{"id":9007199254740993},"list":[1]}', '{"new":[12345678901234567891],"list":[1]}');
    expect(summary(result)).toEqual([
      ['$.gone', 'field_removed', { id: '9007199254740993' }, null],
      ['$.new', 'field_added', null, ['12345678901234567891']],
    ]);
    expect(JSON.stringify(result.differences)).toContain('9007199254740993');
  });

  it('matches big numbers in unordered arrays by exact value', () => {
    const rules: ComparisonRules = { arrays: [{ path: '$.ids', mode: 'unordered' }] };
    expect(compare('{"ids":[9007199254740993,9007199254740992,1e400]}', '{"ids":[1e400,9007199254740992,9007199254740993.0]}', rules).differences).toEqual([]);
    expect(summary(compare('{"ids":[9007199254740993,9007199254740992]}', '{"ids":[9007199254740992,9007199254740994]}', rules))).toEqual([
      ['$.ids[0]', 'field_removed', '9007199254740993', null],
      ['$.ids[1]', 'field_added', null, 9007199254740994], // 2^53 + 2 is a double exactly
    ]);
  });

  it('matches objects of unordered and keyed arrays by the exact value of big numbers', () => {
    const primary = '{"rows":[{"id":9007199254740993,"v":1},{"id":9007199254740992,"v":2}]}';
    const unordered: ComparisonRules = { arrays: [{ path: '$.rows', mode: 'unordered' }] };
    expect(compare(primary, '{"rows":[{"id":9007199254740992,"v":2},{"id":9007199254740993,"v":1}]}', unordered).differences).toEqual([]);
    const keyed: ComparisonRules = { arrays: [{ path: '$.rows', mode: 'keyed', key: 'id' }] };
    expect(summary(compare(primary, '{"rows":[{"id":9007199254740992,"v":2},{"id":9007199254740993,"v":3}]}', keyed))).toEqual([
      ['$.rows[0].v', 'value_changed', 1, 3],
    ]);
    // Doubles cannot tell the keys apart: exact values must, or the elements would pair up wrongly.
    expect(summary(compare(primary, '{"rows":[{"id":9007199254740992,"v":2},{"id":9007199254740995,"v":1}]}', keyed))).toEqual([
      ['$.rows[0]', 'field_removed', { id: '9007199254740993', v: 1 }, null],
      ['$.rows[1]', 'field_added', null, { id: '9007199254740995', v: 1 }],
    ]);
  });
});

describe('tolerance on numbers beyond a double', () => {
  const tolerance = (rule: { absolute?: number; relative?: number }): ComparisonRules => ({ tolerance: [{ path: '$.n', ...rule }] });

  it.each([
    ['absolute 0.5 does not forgive a difference of 1', '9007199254740992', '9007199254740993', { absolute: 0.5 }, false],
    ['absolute 1 forgives a difference of 1', '9007199254740992', '9007199254740993', { absolute: 1 }, true],
    ['relative 1e-9 forgives 1 in 2^53', '9007199254740993', '9007199254740995', { relative: 1e-9 }, true],
    ['relative 0.95 forgives 1e399 against 1e400', '1e400', '1e399', { relative: 0.95 }, true],
    ['relative 0.5 does not', '1e400', '1e399', { relative: 0.5 }, false],
    ['absolute 1 does not forgive 1e399 against 1e400', '1e400', '1e399', { absolute: 1 }, false],
    ['absolute 0.01 forgives digits past a double', '0.1', '0.10000000000000000001', { absolute: 0.01 }, true],
    ['absolute 1e-30 does not', '0.1', '0.10000000000000000001', { absolute: 1e-30 }, false],
    ['an exponent too large to compute is never forgiven', '1e99999999999999999999', '1e99999999999999999998', { relative: 1 }, false],
  ] as const)('%s', (_name, p, s, rule, forgiven) => {
    const result = compare(`{"n":${p}}`, `{"n":${s}}`, tolerance(rule));
    expect(result.differences).toHaveLength(forgiven ? 0 : 1);
    expect(result.ruleHits).toEqual(['tolerance $.n']);
  });

  it('still applies to ordinary numbers as before (1.0 against 1.1 is within 0.1)', () => {
    expect(compare('{"n":1.0}', '{"n":1.1}', tolerance({ absolute: 0.1 })).differences).toEqual([]);
    expect(compare('{"n":1.0}', '{"n":1.1001}', tolerance({ absolute: 0.1 })).differences).toHaveLength(1);
  });
});

describe('duplicate keys', () => {
  it('reports a key that appears twice on the shadow only, with the occurrences on each side', () => {
    const result = compare('{"id":7,"plan":"pro"}', '{"id":7,"plan":"free","plan":"pro"}');
    expect(result.differences).toEqual([{ path: '$.plan', field: '$.plan', kind: 'duplicate_key', primary: 1, shadow: 2, risk: 'medium' }]);
    expect(result.risk).toBe('medium');
  });

  it('reports duplicates on the primary only, at their path inside arrays, and the value that wins', () => {
    const result = compare('{"items":[{"a":1},{"a":1,"a":2}]}', '{"items":[{"a":1},{"a":3}]}');
    expect(summary(result)).toEqual([
      ['$.items[1].a', 'value_changed', 2, 3],
      ['$.items[1].a', 'duplicate_key', 2, 1],
    ]);
    expect(result.differences[1]?.field).toBe('$.items[*].a');
  });

  it('finds nothing when both sides repeat the same key the same number of times', () => {
    expect(compare('{"a":1,"a":2,"b":{"c":0,"c":0}}', '{"b":{"c":0,"c":0},"a":1,"a":2}').differences).toEqual([]);
  });

  it('reports a different number of occurrences, and an odd key such as __proto__', () => {
    const result = compare('{"x":{"k":1,"k":1},"__proto__":1}', '{"x":{"k":1,"k":1,"k":1},"__proto__":1,"__proto__":1}');
    expect(summary(result)).toEqual([
      ['$.x.k', 'duplicate_key', 2, 3],
      ['$.__proto__', 'duplicate_key', 1, 2],
    ]);
  });

  it('lets an ignore rule cover a duplicate key', () => {
    const result = compare('{"meta":{"t":1}}', '{"meta":{"t":1,"t":1}}', { ignore: ['$.meta'] });
    expect(result.differences).toEqual([]);
    expect(result.ruleHits).toEqual(['ignore $.meta']);
  });
});
