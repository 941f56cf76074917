import { describe, expect, it } from 'vitest';
import { ruleIds } from '../../../libs/compare/compile-rules.js';
import { mergeRules } from '../../../libs/compare/merge-rules.js';
import { validateRules } from '../../../libs/compare/validate-rules.js';
import type { ComparisonRules } from '../../../libs/compare/rules.js';

const WHERE = 'rules.endpoints["GET /users/:id"]';

describe('validateRules', () => {
  it('accepts every kind of rule and normalizes header names', () => {
    const input = {
      ignore: ['$.meta.generatedAt', '$..timestamp', '$.items[*].etag', "$['odd key']"],
      headers: { ignore: ['X-Served-By', 'x-served-by', ' Server '], allow: ['Content-Type', 'cache-control'] },
      arrays: [
        { path: '$.tags', mode: 'unordered' },
        { path: '$.items', mode: 'keyed', key: 'id' },
        { path: '$.history', mode: 'ordered' },
      ],
      tolerance: [
        { path: '$.order.total', absolute: 0.01 },
        { path: '$..score', relative: 0.001 },
        { path: '$.rate', absolute: 0, relative: 0.5 },
      ],
    };
    expect(validateRules(input, WHERE)).toEqual({
      rules: {
        ignore: input.ignore,
        headers: { ignore: ['x-served-by', 'server'], allow: ['content-type', 'cache-control'] },
        arrays: input.arrays,
        tolerance: input.tolerance,
      },
      errors: [],
    });
  });

  it.each([undefined, null])('treats %s as no rules', (input) => {
    expect(validateRules(input, WHERE)).toEqual({ rules: {}, errors: [] });
  });

  it.each([
    ['a list', ['$.a'], `${WHERE}: must be a mapping with ignore, headers, arrays, tolerance (got a list)`],
    ['a string', '$.a', `${WHERE}: must be a mapping with ignore, headers, arrays, tolerance (got the string "$.a")`],
  ])('rejects rules that are %s', (_name, input, error) => {
    expect(validateRules(input, WHERE)).toEqual({ rules: {}, errors: [error] });
  });

  it('reports every problem at once, each with where it is, and keeps the valid rules', () => {
    const input = {
      tolerence: [{ path: '$.total', absolute: 1 }],
      ignore: ['$.meta.generatedAt', 'meta.requestId', 42, '$.items[*'],
      headers: { ignore: 'x-served-by', allow: ['Bad Header', 'cache-control'], deny: ['x'] },
      arrays: [
        { path: '$.items', mode: 'keyed' },
        { path: '$.tags', mode: 'sorted' },
        { path: '$.labels', mode: 'unordered', key: 'id' },
        { path: '$.lines', mode: 'keyed', key: 'sku' },
        { mode: 'unordered' },
        { path: '$..', mode: 'unordered' },
        'unordered',
      ],
      tolerance: [
        { path: '$.order.total' },
        { path: '$.order.score', absolute: -1, relative: '0.1' },
        { path: '$.order.rate', absolute: 0.1, within: 1 },
        { path: '$.order.tax', relative: Number.NaN },
        { path: '$.order.fee', absolute: 0.5 },
      ],
    };
    const { rules, errors } = validateRules(input, WHERE);
    expect(errors).toEqual([
      `${WHERE}: unknown key "tolerence" (expected ignore, headers, arrays, tolerance)`,
      `${WHERE}.ignore[1]: invalid path pattern "meta.requestId": a pattern must start with "$"`,
      `${WHERE}.ignore[2]: must be a string (got number 42)`,
      `${WHERE}.ignore[3]: invalid path pattern "$.items[*": expected "]" after "[*" at position 9`,
      `${WHERE}.headers: unknown key "deny" (expected ignore, allow)`,
      `${WHERE}.headers.ignore: must be a list (got the string "x-served-by")`,
      `${WHERE}.headers.allow[0]: "Bad Header" is not a header name`,
      `${WHERE}.arrays[0]: mode keyed needs a key (the member that identifies an element, e.g. id)`,
      `${WHERE}.arrays[1].mode: must be one of ordered, unordered, keyed (got the string "sorted")`,
      `${WHERE}.arrays[2].key: only applies to mode keyed (mode is unordered)`,
      `${WHERE}.arrays[4]: needs a path`,
      `${WHERE}.arrays[5].path: invalid path pattern "$..": ".." must be followed by a name, "*" or a bracket at position 3`,
      `${WHERE}.arrays[6]: must be a mapping with path, mode and (for keyed) key (got the string "unordered")`,
      `${WHERE}.tolerance[0]: needs absolute and/or relative`,
      `${WHERE}.tolerance[1].absolute: must be a non-negative number (got number -1)`,
      `${WHERE}.tolerance[1].relative: must be a non-negative number (got the string "0.1")`,
      `${WHERE}.tolerance[2]: unknown key "within" (expected path, absolute, relative)`,
      `${WHERE}.tolerance[3].relative: must be a non-negative number (got number NaN)`,
    ]);
    expect(rules).toEqual({
      ignore: ['$.meta.generatedAt'],
      headers: { allow: ['cache-control'] },
      arrays: [{ path: '$.lines', mode: 'keyed', key: 'sku' }],
      tolerance: [{ path: '$.order.fee', absolute: 0.5 }],
    });
  });
});

describe('mergeRules', () => {
  const global: ComparisonRules = {
    ignore: ['$..timestamp'],
    headers: { ignore: ['x-served-by'], allow: ['content-type'] },
    arrays: [{ path: '$..tags', mode: 'unordered' }],
    tolerance: [{ path: '$..score', relative: 0.01 }],
  };
  const endpoint: ComparisonRules = {
    ignore: ['$.meta.generatedAt'],
    headers: { ignore: ['x-cache'], allow: ['content-type', 'cache-control'] },
    arrays: [{ path: '$.tags', mode: 'ordered' }],
    tolerance: [{ path: '$.order.total', absolute: 0.01 }],
  };

  it('concatenates the lists, global first, and lets the endpoint allow list win', () => {
    expect(mergeRules(global, endpoint)).toEqual({
      ignore: ['$..timestamp', '$.meta.generatedAt'],
      headers: { ignore: ['x-served-by', 'x-cache'], allow: ['content-type', 'cache-control'] },
      arrays: [
        { path: '$..tags', mode: 'unordered' },
        { path: '$.tags', mode: 'ordered' },
      ],
      tolerance: [
        { path: '$..score', relative: 0.01 },
        { path: '$.order.total', absolute: 0.01 },
      ],
    });
  });

  it('keeps the global allow list when the endpoint has none', () => {
    expect(mergeRules(global, { headers: { ignore: ['x-cache'] } }).headers).toEqual({ ignore: ['x-served-by', 'x-cache'], allow: ['content-type'] });
  });

  it.each([
    ['both missing', undefined, undefined, {}],
    ['only global', global, undefined, global],
    ['only the endpoint', undefined, endpoint, endpoint],
  ])('merges with %s', (_name, g, e, expected) => {
    expect(mergeRules(g, e)).toEqual(expected);
  });

  it('does not change its inputs', () => {
    const before = JSON.stringify([global, endpoint]);
    mergeRules(global, endpoint);
    expect(JSON.stringify([global, endpoint])).toBe(before);
  });
});

describe('ruleIds', () => {
  it('gives one stable id per rule, in order, header names lower-cased, duplicates once', () => {
    const rules = mergeRules(
      { ignore: ['$..timestamp'], headers: { ignore: ['X-Served-By'] }, tolerance: [{ path: '$..score', relative: 0.01 }] },
      {
        ignore: ['$..timestamp', '$.meta.generatedAt'],
        headers: { allow: ['Content-Type'] },
        arrays: [{ path: '$.items', mode: 'keyed', key: 'id' }],
        tolerance: [{ path: '$.order.total', absolute: 0.01 }],
      },
    );
    expect(ruleIds(rules)).toEqual([
      'ignore $..timestamp',
      'ignore $.meta.generatedAt',
      'header.ignore x-served-by',
      'header.allow content-type',
      'array $.items',
      'tolerance $..score',
      'tolerance $.order.total',
    ]);
    expect(ruleIds({})).toEqual([]);
  });
});
