import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { atParent, describeValue, issueLines, mapping, withoutInvalid } from '../../../libs/values/schema-issues.js';

const item = mapping(
  { name: z.string({ error: (iss) => (iss.input === undefined ? atParent('needs a name') : `must be a string (got ${describeValue(iss.input)})`) }) },
  { notMapping: (input) => `must be a mapping with name (got ${describeValue(input)})`, unknownKey: (key) => `unknown key ${JSON.stringify(key)}` },
);
const doc = mapping({ items: z.array(item).optional(), size: z.number({ error: 'must be a number' }).optional() }, { notMapping: () => 'must be a mapping', unknownKey: (key) => `unknown key '${key}'` });

const issuesOf = (input: unknown) => {
  const r = doc.safeParse(input);
  if (r.success) throw new Error('expected problems');
  return r.error.issues;
};

describe('zod issues as error lines', () => {
  it('places each message under where, unknown keys first, one line per key', () => {
    const input = { size: 'big', items: [{ name: 'a' }, { name: 3, x: 1, y: 2 }, {}], extra: true };
    expect(issueLines(issuesOf(input), 'doc')).toEqual([
      "doc: unknown key 'extra'",
      'doc.items[1]: unknown key "x"',
      'doc.items[1]: unknown key "y"',
      'doc.items[1].name: must be a string (got number 3)',
      'doc.items[2]: needs a name',
      'doc.size: must be a number',
    ]);
  });

  it('keeps the valid parts once the problems are taken out', () => {
    const input = { size: 'big', items: [{ name: 'a' }, { name: 3 }, {}, { name: 'b', x: 1 }], extra: true };
    expect(doc.parse(withoutInvalid(input, issuesOf(input)))).toEqual({ items: [{ name: 'a' }] });
    expect(input.items).toHaveLength(4); // the input itself is left alone
  });

  it.each([
    [null, 'null'],
    [[1], 'a list'],
    ['x', 'the string "x"'],
    [42, 'number 42'],
    [false, 'boolean false'],
    [{}, 'object'],
  ])('describes %j as %s', (value, words) => {
    expect(describeValue(value)).toBe(words);
  });
});
