import { describe, expect, it } from 'vitest';
import { ExactNumber, exactlyWithinTolerance, numberOfLiteral, plainJson } from '../../../libs/compare/exact-number.js';

describe('plainJson', () => {
  it('returns values without exact numbers as they are, without copying', () => {
    const value = { a: [1, { b: 'x' }], c: null };
    expect(plainJson(value)).toBe(value);
    expect(plainJson(7)).toBe(7);
  });

  it('replaces exact numbers by their literal text at any depth, leaving the original intact', () => {
    const big = new ExactNumber('9007199254740993');
    const shared = { n: big };
    const value = { list: [1, big, { deep: [shared, shared] }], other: { x: 1 } };
    const plain = plainJson(value) as typeof value;
    expect(plain).toEqual({ list: [1, '9007199254740993', { deep: [{ n: '9007199254740993' }, { n: '9007199254740993' }] }], other: { x: 1 } });
    expect(plain.other).toBe(value.other);
    expect(value.list[1]).toBe(big);
    expect(plainJson(big)).toBe('9007199254740993');
  });

  it('copes with deeply nested values', () => {
    let value: unknown = new ExactNumber('1e400');
    for (let i = 0; i < 100_000; i++) value = [value];
    let plain = plainJson(value);
    for (let i = 0; i < 100_000; i++) plain = (plain as unknown[])[0];
    expect(plain).toBe('1e400');
  });
});

describe('exactlyWithinTolerance', () => {
  const n = (literal: string) => numberOfLiteral(literal);
  it.each([
    ['1e400', '1e400', { absolute: 0 }, true],
    ['-9007199254740993', '-9007199254740992', { absolute: 1 }, true],
    ['-9007199254740993', '9007199254740993', { relative: 1 }, false],
    ['-9007199254740993', '9007199254740993', { relative: 2 }, true],
    ['1e-400', '0', { absolute: 1e-300 }, true],
    ['1e-400', '0', { relative: 0.99 }, false],
    ['1e-400', '0', { relative: 1 }, true],
    ['1e400', '1e-400', { relative: 1 }, true],
    ['1e20000', '1e-20000', { relative: 1 }, false],
  ] as const)('%s against %s with %j: %s', (a, b, rule, within) => {
    expect(exactlyWithinTolerance(n(a), n(b), rule)).toBe(within);
  });
});
