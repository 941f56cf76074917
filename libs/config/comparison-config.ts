/**
 * The config file's comparison sections: `routes` (explicit endpoint templates) and `rules`
 * (global and per-endpoint comparison rules). Validated with the rest of the configuration.
 *
 *   routes:
 *     - pattern: /users/:userId/orders/:orderId
 *   rules:
 *     global:   { ignore: ['$..timestamp'], headers: { ignore: [x-served-by] } }
 *     endpoints:
 *       GET /users/:userId/orders/:orderId: { arrays: [{ path: $.lines, mode: keyed, key: sku }] }
 */
import { z } from 'zod';
import { validateRules } from '../compare/validate-rules.js';
import { isMapping, issueLines, mapping } from '../values/schema-issues.js';
import { validateRoute, type RouteSpec } from '../compare/route-table.js';
import type { ComparisonRules } from '../compare/rules.js';

export interface ComparisonConfig {
  global: ComparisonRules;
  endpoints: Readonly<Record<string, ComparisonRules>>;
  routes: readonly RouteSpec[];
}

/** Config-file keys that hold structures rather than single settings. */
export const COMPARISON_FILE_KEYS = ['rules', 'routes'] as const;

const routesSection = z.array(z.unknown(), { error: 'must be a list of { pattern, method?, endpoint? }' });
const rulesSection = mapping(
  { global: z.unknown().optional(), endpoints: z.unknown().optional() },
  { notMapping: () => 'must be a mapping with `global` and/or `endpoints`', unknownKey: (key) => `unknown key '${key}' (expected global, endpoints)` },
);
const endpointsSection = z.record(z.string(), z.unknown(), { error: "must map endpoint names (e.g. 'GET /users/:id') to rules" });
const endpointName = z.string().regex(/^[A-Z]+ \/\S*$/, { error: (iss) => `'${String(iss.input)}' is not an endpoint name such as 'GET /users/:id'` });

/** The problems of `value` against `schema`, as error lines under `where`. */
function problems(schema: z.ZodType, value: unknown, where: string): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : issueLines(parsed.error.issues, where);
}

export function parseComparisonConfig(file: Record<string, unknown>, errors: string[]): ComparisonConfig {
  const routes: RouteSpec[] = [];
  if (file.routes !== undefined) {
    errors.push(...problems(routesSection, file.routes, 'routes'));
    if (Array.isArray(file.routes))
      file.routes.forEach((r, i) => {
        const { route, errors: e } = validateRoute(r, `routes[${i}]`);
        errors.push(...e);
        if (route) routes.push(route);
      });
  }
  let global: ComparisonRules = {};
  const endpoints: Record<string, ComparisonRules> = {};
  if (file.rules !== undefined) {
    errors.push(...problems(rulesSection, file.rules, 'rules'));
    const r = isMapping(file.rules) ? file.rules : {};
    if (r.global !== undefined) {
      const v = validateRules(r.global, 'rules.global');
      errors.push(...v.errors);
      global = v.rules;
    }
    if (r.endpoints !== undefined) errors.push(...problems(endpointsSection, r.endpoints, 'rules.endpoints'));
    if (isMapping(r.endpoints)) {
      for (const [endpoint, value] of Object.entries(r.endpoints)) {
        errors.push(...problems(endpointName, endpoint, 'rules.endpoints'));
        const v = validateRules(value, `rules.endpoints["${endpoint}"]`);
        errors.push(...v.errors);
        endpoints[endpoint] = v.rules;
      }
    }
  }
  return { global, endpoints, routes };
}
