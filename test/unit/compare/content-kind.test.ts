import { describe, expect, it } from 'vitest';
import { contentKind } from '../../../libs/compare/content-kind.js';

describe('contentKind', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON', 'json'],
    ['application/problem+json', 'json'],
    ['application/vnd.api+json; charset=UTF-8', 'json'],
    ['application/x-www-form-urlencoded', 'form'],
    ['application/x-www-form-urlencoded; charset=utf-8', 'form'],
    ['text/plain', 'text'],
    ['text/html; charset=iso-8859-1', 'text'],
    ['text/csv', 'text'],
    ['application/xml', 'text'],
    ['application/atom+xml', 'text'],
    ['image/svg+xml', 'text'],
    ['application/javascript', 'text'],
    ['application/octet-stream', 'binary'],
    ['image/png', 'binary'],
    ['application/x-protobuf', 'binary'],
    ['application/pdf', 'binary'],
    [undefined, 'text'],
    ['', 'text'],
  ] as const)('%s -> %s', (contentType, expected) => {
    expect(contentKind(contentType)).toBe(expected);
  });
});
