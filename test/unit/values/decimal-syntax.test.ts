import { describe, expect, it } from 'vitest';
import { API_DECIMAL, PLAIN_DECIMAL, RATE_DECIMAL, readDecimal, readSafeInteger, WHOLE } from '../../../libs/values/numbers.js';

describe('readDecimal: each syntax accepts its own set', () => {
  it.each([
    ['API_DECIMAL', API_DECIMAL, ['0', '1.', '.5', '1e-3', '2E3'], ['-1', '+1', '0x10', ' 1', '', '.', '1e']],
    ['PLAIN_DECIMAL', PLAIN_DECIMAL, ['0', '-1', '.5', '-.5', '12.5'], ['1.', '1e3', '+1', '0x10', '']],
    ['RATE_DECIMAL', RATE_DECIMAL, ['0.5', '1e-3', '1E3', '10'], ['.5', '1.', '-1', 'Infinity']],
    ['WHOLE', WHOLE, ['0', '42', '007'], ['1.0', '-1', '1e3', ' 1']],
  ])('%s', (_name, syntax, accepted, refused) => {
    for (const text of accepted) expect(readDecimal(text, syntax), text).toBe(Number(text));
    for (const text of refused) expect(readDecimal(text, syntax), text).toBeUndefined();
  });

  it('reads text past a double as Infinity, for the range check to refuse', () => {
    expect(readDecimal('1e309', API_DECIMAL)).toBe(Infinity);
    expect(readDecimal('9'.repeat(400), PLAIN_DECIMAL)).toBe(Infinity);
  });

  it('reads only integers a double holds exactly', () => {
    expect(readSafeInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(readSafeInteger('9007199254740992')).toBeUndefined();
    expect(readSafeInteger('1.5')).toBeUndefined();
  });
});
