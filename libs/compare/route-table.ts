/**
 * Explicit route templates win over the automatic `:id` templating: `/users/:userId/orders/:orderId`
 * names its parameters, `*` at the end matches the rest of the path, and `endpoint` renames a route
 * or groups several patterns under one name. Routes are tried in order; the first match wins.
 */
import { pathOf } from '../http/request-target.js';
import { endpointOf } from './endpoint-template.js';

export interface RouteSpec {
  pattern: string;
  /** Only this method (any when absent). */
  method?: string;
  /** The endpoint name to report under; default `METHOD pattern`. */
  endpoint?: string;
}

interface CompiledRoute {
  method: string | null;
  segments: string[];
  rest: boolean;
  endpoint: string | null;
  pattern: string;
}

export type EndpointResolver = (method: string, url: string) => string;

const SEGMENT = /^(?::[A-Za-z_][A-Za-z0-9_]*|[^:*]*)$/;

export function validateRoute(route: unknown, where: string): { route: RouteSpec | null; errors: string[] } {
  const errors: string[] = [];
  if (typeof route !== 'object' || route === null || Array.isArray(route)) return { route: null, errors: [`${where}: must be a mapping with 'pattern'`] };
  const r = route as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!['pattern', 'method', 'endpoint'].includes(key)) errors.push(`${where}: unknown key '${key}'`);
  if (typeof r.pattern !== 'string' || !r.pattern.startsWith('/')) {
    errors.push(`${where}.pattern: must be a path starting with '/', e.g. /users/:userId/orders/:orderId`);
  } else {
    const parts = r.pattern.split('/').slice(1);
    parts.forEach((seg, i) => {
      if (seg === '*' && i === parts.length - 1) return;
      if (!SEGMENT.test(seg)) errors.push(`${where}.pattern: segment '${seg}' must be literal, ':name', or a final '*'`);
    });
  }
  if (r.method !== undefined && (typeof r.method !== 'string' || !/^[A-Za-z]+$/.test(r.method))) errors.push(`${where}.method: must be an HTTP method`);
  if (r.endpoint !== undefined && (typeof r.endpoint !== 'string' || r.endpoint.trim() === '')) errors.push(`${where}.endpoint: must be a non-empty name`);
  if (errors.length > 0) return { route: null, errors };
  return {
    route: {
      pattern: r.pattern as string,
      ...(r.method ? { method: (r.method as string).toUpperCase() } : {}),
      ...(r.endpoint ? { endpoint: (r.endpoint as string).trim() } : {}),
    },
    errors,
  };
}

function compile(route: RouteSpec): CompiledRoute {
  const parts = route.pattern.split('/').slice(1);
  const rest = parts[parts.length - 1] === '*';
  return {
    method: route.method ? route.method.toUpperCase() : null,
    segments: rest ? parts.slice(0, -1) : parts,
    rest,
    endpoint: route.endpoint ?? null,
    pattern: route.pattern,
  };
}

function matches(route: CompiledRoute, method: string, parts: string[]): boolean {
  if (route.method && route.method !== method) return false;
  if (route.rest ? parts.length < route.segments.length : parts.length !== route.segments.length) return false;
  return route.segments.every((seg, i) => seg.startsWith(':') || seg === parts[i]);
}

export function createEndpointResolver(routes: readonly RouteSpec[]): EndpointResolver {
  const compiled = routes.map(compile);
  if (compiled.length === 0) return endpointOf;
  return (rawMethod, url) => {
    const method = rawMethod.toUpperCase();
    const parts = pathOf(url).split('/').slice(1);
    const route = compiled.find((r) => matches(r, method, parts));
    if (!route) return endpointOf(method, url);
    return route.endpoint ?? `${method} ${route.pattern}`;
  };
}
