import { describe, expect, it } from 'vitest';
import { checkNumber, parseNumberText, POSITIVE_COUNT, RATE } from '../../../libs/values/numbers.js';

describe('strict number parsing', () => {
  it.each([
    ['0', RATE, 0],
    ['1', RATE, 1],
    ['0.01', RATE, 0.01],
    ['.5', RATE, 0.5],
    ['1e-3', RATE, 0.001],
    ['1.0', RATE, 1],
    ['1', POSITIVE_COUNT, 1],
    ['9007199254740991', POSITIVE_COUNT, Number.MAX_SAFE_INTEGER],
  ])('reads %j', (text, spec, value) => {
    expect(parseNumberText(text, spec)).toEqual({ ok: true, value });
  });

  it.each([
    ...['', ' ', 'Infinity', '1e309', 'NaN', '0x1', '0b1', '0o1', '-0', '+0.5', ' 0.5', '0.5 ', '1.01', '1,5', '1e', '.'].map((t) => [t, RATE] as const),
    ...['0', '0x10', '1e3', '1.0', '1.5', '-1', '9007199254740992', '99999999999999999999', ''].map((t) => [t, POSITIVE_COUNT] as const),
  ])('refuses %j', (text, spec) => {
    const r = parseNumberText(text, spec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(`got '${text}'`);
  });

  it('checks parsed JSON numbers too', () => {
    expect(checkNumber(0.5, RATE)).toEqual({ ok: true, value: 0.5 });
    for (const v of [Infinity, -Infinity, NaN, 1.5, '0.5', null, undefined]) expect(checkNumber(v, RATE).ok, String(v)).toBe(false);
    expect(checkNumber(2.5, POSITIVE_COUNT).ok).toBe(false);
    expect(checkNumber(Infinity, RATE)).toMatchObject({ problem: 'must be a number from 0 to 1, got Infinity' });
  });
});
