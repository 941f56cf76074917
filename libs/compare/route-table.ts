/**
 * Explicit route templates win over the automatic `:id` templating: `/users/:userId/orders/:orderId`
 * names its parameters, `*` at the end matches the rest of the path, and `endpoint` renames a route
 * or groups several patterns under one name. Routes are tried in order; the first match wins.
 */
import { z } from 'zod';
import { issueLines, mapping } from '../values/schema-issues.js';
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
const PATTERN_FORM = "must be a path starting with '/', e.g. /users/:userId/orders/:orderId";

const pattern = z.string({ error: PATTERN_FORM }).superRefine((p, ctx) => {
  if (!p.startsWith('/')) return void ctx.addIssue({ code: 'custom', message: PATTERN_FORM });
  const parts = p.split('/').slice(1);
  parts.forEach((seg, i) => {
    if (seg === '*' && i === parts.length - 1) return;
    if (!SEGMENT.test(seg)) ctx.addIssue({ code: 'custom', message: `segment '${seg}' must be literal, ':name', or a final '*'` });
  });
});

/** One entry of the config file's `routes:`, normalized: method upper-cased, endpoint trimmed. */
const routeSchema = mapping(
  {
    pattern,
    method: z.string({ error: 'must be an HTTP method' }).regex(/^[A-Za-z]+$/, { error: 'must be an HTTP method' }).optional(),
    endpoint: z.string({ error: 'must be a non-empty name' }).refine((e) => e.trim() !== '', { error: 'must be a non-empty name' }).optional(),
  },
  { notMapping: () => "must be a mapping with 'pattern'", unknownKey: (key) => `unknown key '${key}'` },
).transform(
  (r): RouteSpec => ({
    pattern: r.pattern,
    ...(r.method ? { method: r.method.toUpperCase() } : {}),
    ...(r.endpoint ? { endpoint: r.endpoint.trim() } : {}),
  }),
);

export function validateRoute(route: unknown, where: string): { route: RouteSpec | null; errors: string[] } {
  const parsed = routeSchema.safeParse(route);
  return parsed.success ? { route: parsed.data, errors: [] } : { route: null, errors: issueLines(parsed.error.issues, where) };
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
