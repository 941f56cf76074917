import { describe, expect, it } from 'vitest';
import { checkRunName, isRunName, RUN_NAME_PATTERN } from '../../../libs/values/run-name.js';

describe('run names', () => {
  it.each(['live', 'replay-2026-11-24T10:00:00', 'v1.2_rc:3', 'a'.repeat(100)])('accepts %s', (name) => {
    expect(isRunName(name)).toBe(true);
    expect(new RegExp(RUN_NAME_PATTERN).test(name)).toBe(true);
  });

  it.each(['', '-live', '.x', 'a b', 'a/b', 'a'.repeat(101), 'é'])('refuses %j', (name) => {
    expect(isRunName(name)).toBe(false);
  });

  it('takes a shorter limit (the queue prefix) and shows the text as given', () => {
    expect(checkRunName('a'.repeat(65), 64)).toEqual({ ok: false, problem: `must be 1-64 letters, digits, '.', '_', ':' or '-', got '${'a'.repeat(65)}'` });
    expect(checkRunName('a b', undefined, ' a b ')).toEqual({ ok: false, problem: "must be 1-100 letters, digits, '.', '_', ':' or '-', got ' a b '" });
    expect(checkRunName('live')).toEqual({ ok: true, value: 'live' });
  });
});
