import { describe, expect, it } from 'vitest';
import { createEndpointResolver, validateRoute } from '../../../libs/compare/route-table.js';

describe('createEndpointResolver', () => {
  const resolve = createEndpointResolver([
    { pattern: '/users/:userId/orders/:orderId' },
    { pattern: '/v1/reviews/:reviewId', endpoint: 'GET /reviews/:id' },
    { pattern: '/v2/reviews/:reviewId', endpoint: 'GET /reviews/:id' },
    { pattern: '/static/*', method: 'GET', endpoint: 'GET /static/*' },
    { pattern: '/search', method: 'POST' },
  ]);

  it.each([
    ['GET', '/users/ada/orders/9?x=1', 'GET /users/:userId/orders/:orderId'],
    ['DELETE', '/users/7/orders/abc', 'DELETE /users/:userId/orders/:orderId'],
    ['GET', '/v1/reviews/3', 'GET /reviews/:id'],
    ['GET', '/v2/reviews/4', 'GET /reviews/:id'],
    ['GET', '/static/css/site.css', 'GET /static/*'],
    ['HEAD', '/static/css/site.css', 'HEAD /static/css/site.css'],
    ['post', '/search?q=x', 'POST /search'],
    ['GET', '/search', 'GET /search'],
    ['GET', '/users/7', 'GET /users/:id'],
    ['GET', '/users/7/orders', 'GET /users/:id/orders'],
  ])('%s %s -> %s', (method, url, endpoint) => {
    expect(resolve(method, url)).toBe(endpoint);
  });

  it('falls back to automatic templating without routes', () => {
    expect(createEndpointResolver([])('GET', '/users/7')).toBe('GET /users/:id');
  });
});

describe('validateRoute', () => {
  it('reports every problem with where it is', () => {
    expect(validateRoute({ pattern: 'users/:id', method: 'GET 1', extra: true }, 'routes[0]').errors).toEqual([
      "routes[0]: unknown key 'extra'",
      "routes[0].pattern: must be a path starting with '/', e.g. /users/:userId/orders/:orderId",
      'routes[0].method: must be an HTTP method',
    ]);
    expect(validateRoute({ pattern: '/a/*/b' }, 'routes[1]').errors).toEqual(["routes[1].pattern: segment '*' must be literal, ':name', or a final '*'"]);
    expect(validateRoute('nope', 'routes[2]').errors).toHaveLength(1);
  });

  it('normalizes a valid route', () => {
    expect(validateRoute({ pattern: '/a/:b', method: 'get', endpoint: ' GET /a ' }, 'r').route).toEqual({ pattern: '/a/:b', method: 'GET', endpoint: 'GET /a' });
  });
});
