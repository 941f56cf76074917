import { describe, expect, it } from 'vitest';
import { readIsoDuration, readUnitDuration } from '../../../libs/values/durations.js';
import { checkInstant, parseInstant } from '../../../libs/values/instant.js';

describe('durations', () => {
  it.each([
    ['500', 500],
    ['500ms', 500],
    ['5s', 5000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['0.0004s', 0],
  ])('reads the option form %s', (text, ms) => {
    expect(readUnitDuration(text)).toBe(ms);
  });

  it.each(['', '5 s', '-1s', '5w', 's', '1e3', 'PT5S'])('refuses %j as an option duration', (text) => {
    expect(readUnitDuration(text)).toBeUndefined();
  });

  it.each([
    ['PT15M', 900_000],
    ['P1D', 86_400_000],
    ['P1DT2H', 93_600_000],
    ['PT0.5S', 500],
  ])('reads the ISO 8601 form %s', (text, ms) => {
    expect(readIsoDuration(text)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1DT', 'P1Y', 'P1M', 'PT-1M', '15M', 'pt15m'])('refuses %j as an ISO 8601 duration', (text) => {
    expect(readIsoDuration(text)).toBeUndefined();
  });
});

describe('instants', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');

  it('reads a date-time or a duration back from now', () => {
    expect(parseInstant('2026-11-24T09:00:00Z', now)).toBe(Date.parse('2026-11-24T09:00:00Z'));
    expect(parseInstant('PT15M', now)).toBe(now - 900_000);
  });

  it('refuses instants before 1970 and dates that do not exist', () => {
    expect(parseInstant('P99999999999999999999D', now)).toBeNull();
    expect(parseInstant('2026-02-30', now)).toBeNull();
    expect(parseInstant('yesterday', now)).toBeNull();
  });

  it("words the refusal with the caller's example", () => {
    expect(checkInstant('soon', 'PT30M', now)).toEqual({
      ok: false,
      problem: "must be an ISO 8601 date-time (2026-11-24T10:00:00Z) or a duration back from now no earlier than 1970 (PT30M), got 'soon'",
    });
    expect(checkInstant('PT1H', 'PT15M', now)).toEqual({ ok: true, value: now - 3_600_000 });
  });
});
