import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../libs/gate/evaluate-gate.js';
import { parseInstant } from '../../libs/values/instant.js';

const figures = (compared: number, mismatched: number) => ({ compared, mismatched, mismatchRate: compared === 0 ? 0 : mismatched / compared });

describe('evaluateGate', () => {
  it.each([
    ['pass', figures(200, 2), 0.05, 100, true],
    ['pass', figures(100, 5), 0.05, 100, true], // exactly at the limit passes
    ['fail', figures(200, 20), 0.05, 100, false],
    ['inconclusive', figures(99, 0), 0.05, 100, false],
    ['inconclusive', figures(0, 0), 0.05, 1, false],
  ] as const)('%s for %o at limit %f with %i samples', (verdict, total, maxMismatchRate, minSamples, pass) => {
    const v = evaluateGate(total, [], { maxMismatchRate, minSamples });
    expect(v.verdict).toBe(verdict);
    expect(v.pass).toBe(pass);
    expect(v.reasons).toHaveLength(1);
  });

  it('fails on an endpoint above its limit even when the total passes, naming it', () => {
    const v = evaluateGate(figures(1000, 10), [{ endpoint: 'GET /a', ...figures(980, 0) }, { endpoint: 'GET /b', ...figures(20, 10) }], {
      maxMismatchRate: 0.05,
      minSamples: 100,
      maxEndpointMismatchRate: 0.1,
    });
    expect(v.verdict).toBe('fail');
    expect(v.failingEndpoints.map((e) => e.endpoint)).toEqual(['GET /b']);
    expect(v.reasons).toEqual(['endpoint GET /b: mismatch rate 50.00% (10/20) is above the endpoint limit 10.00%']);
  });
});

describe('parseInstant', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it.each([
    ['2026-11-24T10:00:00Z', Date.parse('2026-11-24T10:00:00Z')],
    ['2026-11-24T10:00:00.500+01:00', Date.parse('2026-11-24T09:00:00.500Z')],
    ['2026-11-24', Date.parse('2026-11-24')],
    ['PT15M', now - 15 * 60_000],
    ['P1DT2H', now - 26 * 3_600_000],
    ['PT0.5S', now - 500],
  ])('%s', (text, expected) => {
    expect(parseInstant(text, now)).toBe(expected);
  });

  it.each(['yesterday', '15m', 'P', 'PT', '2026-13-45T99:00:00Z', '1700000000', 'P99999999999999999999D', 'PT1e3S', 'P30000D', '2026-02-30', '2026-04-31T10:00:00Z', '1969-12-31T23:59:59Z', ''])('rejects %s', (text) => {
    expect(parseInstant(text, now)).toBeNull();
  });
});
