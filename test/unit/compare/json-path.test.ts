import { describe, expect, it } from 'vitest';
import { RuleError } from '../../../libs/compare/errors.js';
import { diffJson } from '../../../libs/compare/json-diff.js';
import {
  ANY_INDEX,
  fieldOf,
  formatPath,
  matchesPath,
  parseCanonicalPath,
  parsePathPattern,
  PathMatcher,
} from '../../../libs/compare/json-path.js';
import type { Segment } from '../../../libs/compare/json-path.js';
import { ShadowDiffError } from '../../../libs/errors.js';

describe('parsePathPattern', () => {
  it.each([
    ['$', []],
    ['$.meta.generatedAt', [{ descent: false, kind: 'name', name: 'meta' }, { descent: false, kind: 'name', name: 'generatedAt' }]],
    ["$['odd key'].c", [{ descent: false, kind: 'name', name: 'odd key' }, { descent: false, kind: 'name', name: 'c' }]],
    ['$["odd key"]', [{ descent: false, kind: 'name', name: 'odd key' }]],
    ["$['it\\'s']", [{ descent: false, kind: 'name', name: "it's" }]],
    ['$["say \\"hi\\""]', [{ descent: false, kind: 'name', name: 'say "hi"' }]],
    ["$['a.b[0]']", [{ descent: false, kind: 'name', name: 'a.b[0]' }]],
    ['$.items[3].price', [{ descent: false, kind: 'name', name: 'items' }, { descent: false, kind: 'index', index: 3 }, { descent: false, kind: 'name', name: 'price' }]],
    ['$.items[*].etag', [{ descent: false, kind: 'name', name: 'items' }, { descent: false, kind: 'any' }, { descent: false, kind: 'name', name: 'etag' }]],
    ['$.*.id', [{ descent: false, kind: 'any' }, { descent: false, kind: 'name', name: 'id' }]],
    ['$..timestamp', [{ descent: true, kind: 'name', name: 'timestamp' }]],
    ['$..*', [{ descent: true, kind: 'any' }]],
    ['$..[*]', [{ descent: true, kind: 'any' }]],
    ['$..[0]', [{ descent: true, kind: 'index', index: 0 }]],
    ["$..['x-id']", [{ descent: true, kind: 'name', name: 'x-id' }]],
    ['$.content-type', [{ descent: false, kind: 'name', name: 'content-type' }]],
  ] as const)('parses %s', (pattern, steps) => {
    expect(parsePathPattern(pattern)).toEqual({ source: pattern, steps });
  });

  it.each([
    ['', 'must start with "$"'],
    ['meta.generatedAt', 'must start with "$"'],
    ['.meta', 'must start with "$"'],
    ['$.', '"." must be followed by a name or "*" at position 2'],
    ['$..', '".." must be followed by a name, "*" or a bracket at position 3'],
    ['$...a', 'unexpected "." at position 3'],
    ['$meta', 'unexpected "m"'],
    ['$ .a', 'unexpected " "'],
    ['$.a b', 'unexpected " "'],
    ['$.items[', 'unclosed "["'],
    ['$.items[1', 'unclosed "["'],
    ['$.items[-1]', 'expected an index (digits), "*" or a quoted name inside brackets, got "-1"'],
    ['$.items[abc]', 'got "abc"'],
    ['$.items[]', 'got ""'],
    ['$.items[*', 'expected "]" after "[*"'],
    ["$['open", 'unclosed quote \''],
    ["$['name'x]", 'expected "]" after the quoted name'],
    ['$.items[99999999999999999999]', 'is too large'],
    ['$.a]', 'unexpected "]"'],
  ])('rejects %j: %s', (pattern, message) => {
    let caught: unknown;
    try {
      parsePathPattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleError);
    expect((caught as RuleError).message).toContain(`invalid path pattern ${JSON.stringify(pattern)}`);
    expect((caught as RuleError).message).toContain(message);
  });

  it('throws a configuration error with a stable code', () => {
    expect(() => parsePathPattern('items[*]')).toThrow(ShadowDiffError);
    try {
      parsePathPattern('items[*]');
    } catch (error) {
      expect((error as ShadowDiffError).code).toBe('SD_ERR_CONFIG_INVALID');
    }
  });
});

describe('parseCanonicalPath, formatPath, fieldOf', () => {
  it.each([
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ["$['odd key'].c", ['odd key', 'c']],
    ['$.items[3].price', ['items', 3, 'price']],
    ['$[0][12]', [0, 12]],
    ["$['it\\'s']", ["it's"]],
    ["$['c:\\\\tmp']", ['c:\\tmp']],
    ["$['0']", ['0']],
    ["$['']", ['']],
  ] as const)('parses %s', (path, segments) => {
    expect(parseCanonicalPath(path)).toEqual(segments);
    expect(formatPath(segments)).toBe(path);
  });

  it.each(['$..a', '$.*', '$.items[*]', 'header.etag', 'body'])('rejects the non-canonical path %s', (path) => {
    expect(() => parseCanonicalPath(path)).toThrow(/not a canonical path/);
  });

  it('round-trips every path diffJson produces, odd keys included', () => {
    const keys = ['plain', 'weird key', "it's", 'a.b', '1st', '0', '', 'c:\\tmp', '__proto__', '$_ok9', 'a[3]', 'ünï'];
    // Built as JSON text: `__proto__` is then an own key, as it is in a parsed body.
    const document = (v: number): unknown =>
      JSON.parse(`{${keys.map((key) => `${JSON.stringify(key)}: {"list": [{"v": ${v}}]}`).join(',')}}`);
    const differences = diffJson(document(1), document(2));
    expect(differences).toHaveLength(keys.length);
    for (const d of differences) {
      const segments = parseCanonicalPath(d.path);
      expect(keys).toContain(segments[0]);
      expect(segments.slice(1)).toEqual(['list', 0, 'v']);
      expect(formatPath(segments)).toBe(d.path);
      expect(fieldOf(d.path)).toBe(d.field);
    }
  });

  it.each([
    ['$.items[3].price', '$.items[*].price'],
    ['$.grid[1][0]', '$.grid[*][*]'],
    ["$['a[3]'][2]", "$['a[3]'][*]"],
    ['$', '$'],
    ['header.etag', 'header.etag'],
    ['form.scope', 'form.scope'],
    ['body', 'body'],
  ])('fieldOf(%s) is %s', (path, field) => {
    expect(fieldOf(path)).toBe(field);
  });
});

describe('matchesPath', () => {
  it.each([
    // pattern, path, exact, prefix
    ['$.meta.generatedAt', '$.meta.generatedAt', true, true],
    ['$.meta', '$.meta.generatedAt', false, true],
    ['$.meta.generatedAt', '$.meta', false, false],
    ['$.meta', '$.metadata', false, false],
    ['$.meta.generatedAt', '$.meta.generatedAtZone', false, false],
    ['$', '$', true, true],
    ['$', '$.anything[2]', false, true],
    ['$..timestamp', '$.timestamp', true, true],
    ['$..timestamp', '$.orders[2].events[0].timestamp', true, true],
    ['$..timestamp', '$.timestamp.seconds', false, true],
    ['$..timestamp', '$.timestamps', false, false],
    ['$..timestamp', "$['timestamp ']", false, false],
    ['$.items[*].etag', '$.items[12].etag', true, true],
    ['$.items[*].etag', "$.items['sku-1'].etag", true, true],
    ['$.items[*].etag', '$.items.etag', false, false],
    ['$.items[*].etag', '$.orders[0].items[1].etag', false, false],
    ['$..items[*].etag', '$.orders[0].items[1].etag', true, true],
    ['$.items[2]', '$.items[2].price', false, true],
    ['$.items[2]', '$.items[20]', false, false],
    ['$.items[2]', "$.items['2']", false, false],
    ["$.items['2']", '$.items[2]', false, false],
    ['$.*.id', '$.author.id', true, true],
    ['$.*.id', '$[0].id', true, true],
    ['$.*.id', '$.id', false, false],
    ["$['odd key'].c", "$['odd key'].c", true, true],
    ['$["odd key"]', "$['odd key'].c", false, true],
    ['$..*', '$.a', true, true],
    ['$..*', '$', false, false],
    ['$..[*]', '$.a.b[3]', true, true],
    ['$..[0]', '$.a[0]', true, true],
    ['$..[0]', '$.a[1]', false, false],
    ['$..a..b', '$.x.a.y.z.b', true, true],
    ['$..a..b', '$.b.a', false, false],
    ['$..a.b', '$.a.a.b', true, true],
  ] as const)('%s against %s: exact %s, prefix %s', (pattern, path, exact, prefix) => {
    const parsed = parsePathPattern(pattern);
    expect(matchesPath(parsed, path, { prefix: false })).toBe(exact);
    expect(matchesPath(parsed, path, { prefix: true })).toBe(prefix);
  });

  it('accepts parsed segments as well as path strings', () => {
    const pattern = parsePathPattern('$.items[*].price');
    expect(matchesPath(pattern, ['items', 4, 'price'], { prefix: false })).toBe(true);
    expect(matchesPath(pattern, ['items', 'x', 'price'], { prefix: false })).toBe(true);
    expect(matchesPath(pattern, ['items', 4], { prefix: true })).toBe(false);
  });

  it('stays linear on patterns that would make a backtracking matcher explode', () => {
    const pattern = parsePathPattern(`$${'..a'.repeat(12)}..b`);
    const path: Segment[] = Array.from({ length: 2000 }, () => 'a');
    const started = performance.now();
    expect(matchesPath(pattern, path, { prefix: false })).toBe(false);
    expect(matchesPath(pattern, [...path, 'b'], { prefix: false })).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('PathMatcher', () => {
  const walk = (matcher: PathMatcher, segments: readonly Segment[]): number[] => {
    let state = matcher.initial;
    for (const segment of segments) state = matcher.next(state, segment);
    return matcher.matching(state);
  };

  it('tells which patterns match each node, several at once', () => {
    const matcher = new PathMatcher(['$.items', '$..price', '$.items[*].price', '$.items[0].price'].map(parsePathPattern));
    expect(walk(matcher, [])).toEqual([]);
    expect(walk(matcher, ['items'])).toEqual([0]);
    expect(walk(matcher, ['items', 0, 'price'])).toEqual([1, 2, 3]);
    expect(walk(matcher, ['items', 5, 'price'])).toEqual([1, 2]);
    expect(walk(matcher, ['orders', 1, 'price'])).toEqual([1]);
    expect(walk(matcher, ['items', 5, 'price', 'amount'])).toEqual([]);
  });

  it('lets only the wildcards match an unknown index', () => {
    const matcher = new PathMatcher(['$.items[*].id', '$.items[0].id', '$..id'].map(parsePathPattern));
    expect(walk(matcher, ['items', ANY_INDEX, 'id'])).toEqual([0, 2]);
  });

  it('gives up (null) where no pattern can match any more', () => {
    const matcher = new PathMatcher([parsePathPattern('$.meta.generatedAt')]);
    expect(matcher.next(matcher.initial, 'items')).toBeNull();
    expect(matcher.next(null, 'meta')).toBeNull();
    expect(new PathMatcher([]).initial).toBeNull();
  });
});
