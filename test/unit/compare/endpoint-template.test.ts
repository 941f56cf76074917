import { describe, expect, it } from 'vitest';
import { endpointOf, templatePath } from '../../../libs/compare/endpoint-template.js';

describe('templatePath', () => {
  it.each([
    ['numeric id', '/reviews/7', '/reviews/:id'],
    ['several numeric ids', '/users/42/orders/1001', '/users/:id/orders/:id'],
    ['uuid v4', '/orders/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b/items', '/orders/:id/items'],
    ['uuid upper case', '/orders/3F2B8C1E-9D4A-4F6B-8E2A-1C5D7E9F0A2B', '/orders/:id'],
    ['uuid v7', '/events/01890a5d-ac96-774b-bcce-b302099a8057', '/events/:id'],
    ['mongo object id (24 hex)', '/products/507f1f77bcf86cd799439011', '/products/:id'],
    ['sha1 (40 hex)', '/commits/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3/files', '/commits/:id/files'],
    ['16 hex exactly', '/tokens/deadbeefcafebabe', '/tokens/:id'],
    ['15 hex stays', '/tokens/deadbeefcafebab', '/tokens/deadbeefcafebab'],
    ['short hex word stays', '/beef', '/beef'],
    ['hex-looking word stays', '/api/v2/cafe/menu', '/api/v2/cafe/menu'],
    ['mixed alphanumerics stay', '/reviews/abc123', '/reviews/abc123'],
    ['query ignored', '/reviews/7?lang=en&page=2', '/reviews/:id'],
    ['fragment ignored', '/docs/intro#install', '/docs/intro'],
    ['query then fragment', '/a/1?x=1#frag', '/a/:id'],
    ['fragment containing ?', '/a/1#x?y', '/a/:id'],
    ['trailing slash kept', '/a/', '/a/'],
    ['trailing slash after id', '/reviews/7/', '/reviews/:id/'],
    ['root', '/', '/'],
    ['empty', '', '/'],
    ['only a query', '?q=1', '/'],
  ])('%s: %s -> %s', (_name, path, expected) => {
    expect(templatePath(path)).toBe(expected);
  });
});

describe('endpointOf', () => {
  it.each([
    ['get', '/reviews/7?lang=en', 'GET /reviews/:id'],
    ['Post', '/reviews', 'POST /reviews'],
    ['DELETE', '/reviews/3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b', 'DELETE /reviews/:id'],
    ['GET', 'http://reviews.internal:8080/reviews/7?x=1', 'GET /reviews/:id'],
    ['GET', '', 'GET /'],
  ])('%s %s -> %s', (method, url, expected) => {
    expect(endpointOf(method, url)).toBe(expected);
  });
});
