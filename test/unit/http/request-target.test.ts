/** The one URL-to-path stripper (libs/http/request-target.ts), used by endpoint templating and routes. */
import { describe, expect, it } from 'vitest';
import { pathOf } from '../../../libs/http/request-target.js';

describe('pathOf', () => {
  it.each([
    ['/reviews/7', '/reviews/7'],
    ['/reviews/7?lang=en', '/reviews/7'],
    ['/docs/intro#install', '/docs/intro'],
    ['/a/1#x?y', '/a/1'],
    ['/a//b/', '/a//b/'],
    ['', '/'],
    ['?q=1', '/'],
    ['http://reviews.internal:8080/reviews/7?x=1', '/reviews/7'],
    ['HTTPS://Host/a', '/a'],
    ['http://host', '/'],
    ['http://host?x=/a', '/'],
    ['http://host#/a', '/'],
    ['*', '*'],
  ])('%s -> %s', (target, path) => {
    expect(pathOf(target)).toBe(path);
  });
});
