import { describe, expect, it } from 'vitest';
import { ExactNumber, plainJson } from '../../../libs/compare/exact-number.js';
import { parseJson } from '../../../libs/compare/parse-json.js';

/**
 * Same value as JSON.parse: same own keys in the same order, same prototypes, leaves equal by Object.is
 * (so -0 is -0). Not toStrictEqual: it compares the `constructor` members of objects that have one.
 */
function expectSameAsJsonParse(text: string): void {
  const pending: Array<[unknown, unknown, string]> = [[parseJson(text).value, JSON.parse(text) as unknown, '$']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [ours, native, path] = next;
    if (typeof native !== 'object' || native === null) {
      expect(Object.is(ours, native), `${path} in ${text}`).toBe(true);
      continue;
    }
    expect(typeof ours === 'object' && ours !== null && Object.getPrototypeOf(ours) === Object.getPrototypeOf(native), `${path} in ${text}`).toBe(true);
    const keys = Object.keys(native);
    expect(Object.keys(ours as object), `${path} in ${text}`).toEqual(keys);
    for (const key of keys) pending.push([(ours as Record<string, unknown>)[key], (native as Record<string, unknown>)[key], `${path}.${key}`]);
  }
}

/** A small deterministic generator (mulberry32), so the property tests are reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'id', '', 'odd key', '__proto__', 'constructor', 'toString', '0', '10', 'é', 'a"b', 'x\\y', '\n'];
const STRINGS = ['', 'plain', 'quote " inside', 'back \\ slash', 'tab\t', 'nul \u0000', 'é ü 字', '😀', '\ud800 lone', '</script>', 'a:b,c{d}'];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.5) {
    const leaves = [null, true, false, Math.floor(next() * 1e6) - 5e5, next() * 1e3, -next(), 1e21 * next(), 5e-324, STRINGS[Math.floor(next() * STRINGS.length)]];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (r < 0.75) return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) {
    Object.defineProperty(object, KEYS[Math.floor(next() * KEYS.length)] as string, {
      value: randomValue(next, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

describe('parseJson: the same values as JSON.parse', () => {
  it.each([
    'null',
    ' true ',
    'false',
    '0',
    '-0',
    '"text"',
    '[]',
    '{}',
    ' \t\n\r[ 1 , "a" , { } , [ ] ] \n',
    '{"a":{"b":[1,2,{"c":null}]},"d":"e"}',
    '{"b":1,"a":2,"10":3,"2":4}',
    '["\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r", "\\ud83d\\ude00", "\\ud800"]',
    '{"__proto__":{"x":1},"constructor":2,"toString":3,"hasOwnProperty":4}',
    '[1.5,-2.25e-3,1E5,1e+2,0.000001,123456789012345,1.7976931348623157e308,5e-324]',
    '{"":0,"odd key":1,"é":2}',
  ])('%s', (text) => {
    expectSameAsJsonParse(text);
  });

  it('agrees with JSON.parse on 500 random documents, pretty-printed or not', () => {
    const next = random(11);
    for (let i = 0; i < 500; i++) {
      const value = randomValue(next, 0);
      expectSameAsJsonParse(JSON.stringify(value));
      expectSameAsJsonParse(JSON.stringify(value, null, i % 2 === 0 ? 2 : '\t'));
    }
  });

  it('defines __proto__ as an own member, never as the prototype', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parses documents nested far deeper than the stack', () => {
    const depth = 200_000;
    const parsed = parseJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`).value;
    let node: unknown = parsed;
    let levels = 0;
    while (Array.isArray(node)) {
      node = node[0];
      levels++;
    }
    expect([levels, node]).toEqual([depth, 1]);
  });
});

describe('parseJson: refuses what JSON.parse refuses', () => {
  it.each([
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '{"a" 1}',
    '{a:1}',
    "{'a':1}",
    '[1 2]',
    '01',
    '-',
    '1.',
    '.5',
    '+1',
    '1e',
    '0x10',
    'NaN',
    'Infinity',
    'tru',
    'nul',
    '"unterminated',
    '"bad \\x escape"',
    '"bad \\u12 escape"',
    '"raw \u0001 control"',
    '"raw \n newline"',
    '[1]]',
    '{}x',
    '\ufeff{}',
    '[1,,2]',
    '{"a":1 "b":2}',
  ])('%j', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJson(text)).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on 2,000 random corruptions of valid documents', () => {
    const next = random(29);
    const alphabet = '{}[]:,"\\ 0123456789.eE+-truefalsn\u0001';
    let refused = 0;
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(randomValue(next, 0));
      const at = Math.floor(next() * (text.length + 1));
      const corrupt = text.slice(0, at) + (alphabet[Math.floor(next() * alphabet.length)] as string) + text.slice(at + (next() < 0.5 ? 1 : 0));
      let native: { value: unknown } | undefined;
      try {
        native = { value: JSON.parse(corrupt) as unknown };
      } catch {
        native = undefined;
      }
      if (native === undefined) {
        refused++;
        expect(() => parseJson(corrupt), corrupt).toThrow(SyntaxError);
        continue;
      }
      // What JSON.parse accepts we accept, with the same value unless a number is exact or a key repeats.
      accepted++;
      const ours = parseJson(corrupt);
      if (ours.duplicates.size === 0 && plainJson(ours.value) === ours.value) expectSameAsJsonParse(corrupt);
    }
    expect([refused, accepted].every((n) => n > 300)).toBe(true);
  });
});

describe('parseJson: numbers', () => {
  it.each(['0', '-0', '1', '1.0', '1e2', '0.1', '0.30000000000000004', '1.7976931348623157e308', '5e-324', '9007199254740992', '123456789012345'])(
    'keeps %s a double, as JSON.parse',
    (literal) => {
      expect(parseJson(literal).value).toBe(JSON.parse(literal));
    },
  );

  it.each([
    ['9007199254740993', '9007199254740993e0'],
    ['1e400', '1e400'],
    ['-1E+400', '-1e400'],
    ['1e-400', '1e-400'],
    ['0.10000000000000000001', '10000000000000000001e-20'],
    ['1200000000000000000000.5000', '12000000000000000000005e-1'],
    ['1e99999999999999999999', '1e99999999999999999999'],
    ['25e99999999999999999999', '25e99999999999999999999'],
    ['2.50e-99999999999999999999', '25e-100000000000000000000'],
  ])('keeps %s exact (canonical %s)', (literal, canonical) => {
    const value = parseJson(literal).value;
    expect(value).toBeInstanceOf(ExactNumber);
    expect(value).toMatchObject({ literal, canonical });
    expect(JSON.stringify(value)).toBe(JSON.stringify(literal));
  });

  it('keeps exact numbers exact next to long doubles and number-like text in strings', () => {
    const text = '{"price":348.95000000000005,"note":"12345678901234567890 1e400","id":9007199254740993,"big":[1e400,2.5e-3]}';
    const value = parseJson(text).value as { price: unknown; note: unknown; id: unknown; big: unknown[] };
    expect(value.price).toBe(348.95000000000005);
    expect(value.note).toBe('12345678901234567890 1e400');
    expect(value.id).toMatchObject({ literal: '9007199254740993' });
    expect(value.big[0]).toMatchObject({ literal: '1e400' });
    expect(value.big[1]).toBe(0.0025);
    expectSameAsJsonParse('{"price":348.95000000000005,"note":"12345678901234567890 1e400","list":[1.0000000000000002,-0.30000000000000004e0]}');
  });

  it('gives equal values the same canonical form however they are written', () => {
    const forms = (texts: string[]) => texts.map((t) => (parseJson(t).value as ExactNumber).canonical);
    const [first, ...rest] = forms(['1e400', '10e399', '0.1e401', '1000e397', '1.000e400']);
    expect(rest).toEqual([first, first, first, first]);
    expect(new Set(forms(['1e99999999999999999999', '10e99999999999999999998', '0.1e100000000000000000000'])).size).toBe(1);
  });
});

describe('parseJson: repeated keys', () => {
  it('reports each repeated key at its path with its count, the last value winning', () => {
    const parsed = parseJson('{"a":1,"a":2,"list":[{},{"b":{"c":1,"c":2,"c":3}}],"odd key":0,"odd key":1,"a":4}');
    expect(parsed.value).toEqual({ a: 4, list: [{}, { b: { c: 3 } }], 'odd key': 1 });
    expect(Object.keys(parsed.value as object)).toEqual(['a', 'list', 'odd key']);
    expect([...parsed.duplicates]).toEqual([
      ['$.list[1].b.c', 3],
      ['$.a', 3],
      ["$['odd key']", 2],
    ]);
  });

  it('does not take inherited names for repeats, and finds repeats of them', () => {
    expect(parseJson('{"constructor":1,"toString":2,"__proto__":3,"valueOf":null}').duplicates.size).toBe(0);
    const parsed = parseJson('{"constructor":1,"constructor":2,"__proto__":3,"__proto__":4}');
    expect([...parsed.duplicates]).toEqual([
      ['$.constructor', 2],
      ['$.__proto__', 2],
    ]);
  });

  it('reports nothing for an object without repeats', () => {
    expect(parseJson('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":1}]}').duplicates.size).toBe(0);
  });
});
