import { describe, expect, it } from 'vitest';
import { highestRisk, riskOf } from '../../../libs/compare/risk.js';
import type { Difference, DifferenceKind, Risk } from '../../../libs/compare/difference.js';

function d(kind: DifferenceKind, primary: unknown = null, shadow: unknown = null): Omit<Difference, 'risk'> {
  return { path: 'p', field: 'p', kind, primary, shadow };
}

describe('riskOf', () => {
  it.each([
    ['field_removed', 'high', d('field_removed', 1)],
    ['type_changed', 'high', d('type_changed', 1, '1')],
    ['body_type_changed', 'high', d('body_type_changed', 'application/json', 'text/html')],
    ['shadow_error', 'high', d('shadow_error', 200, 'timeout: no response in 2000 ms')],
    ['status 200 -> 404 (class changed)', 'high', d('status_changed', 200, 404)],
    ['status 200 -> 302 (class changed)', 'high', d('status_changed', 200, 302)],
    ['status 500 -> 503 (shadow 5xx)', 'high', d('status_changed', 500, 503)],
    ['status 404 -> 500 (shadow 5xx)', 'high', d('status_changed', 404, 500)],
    ['status 200 -> 201 (same class)', 'medium', d('status_changed', 200, 201)],
    ['status 400 -> 422 (same class)', 'medium', d('status_changed', 400, 422)],
    ['status 503 -> 200 (class changed)', 'high', d('status_changed', 503, 200)],
    ['value_changed', 'medium', d('value_changed', 1, 2)],
    ['header_changed', 'medium', d('header_changed', 'a', 'b')],
    ['header_removed', 'medium', d('header_removed', 'a')],
    ['text_differs', 'medium', d('text_differs', 'a', 'b')],
    ['binary_differs', 'medium', d('binary_differs')],
    ['array_length', 'medium', d('array_length', 2, 3)],
    ['duplicate_key', 'medium', d('duplicate_key', 1, 2)],
    ['field_added', 'low', d('field_added', null, 1)],
    ['header_added', 'low', d('header_added', null, 'x')],
  ] as const)('%s is %s', (_name, expected, difference) => {
    expect(riskOf(difference)).toBe(expected);
  });
});

describe('highestRisk', () => {
  const r = (...risks: Risk[]) => risks.map((risk) => ({ ...d('value_changed'), risk }));
  it.each([
    ['none', r(), null],
    ['only low', r('low', 'low'), 'low'],
    ['low and medium', r('low', 'medium', 'low'), 'medium'],
    ['high first', r('high', 'low', 'medium'), 'high'],
    ['high last', r('low', 'medium', 'high'), 'high'],
  ] as const)('%s -> %s', (_name, differences, expected) => {
    expect(highestRisk(differences)).toBe(expected);
  });
});
