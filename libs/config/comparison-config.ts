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
import { validateRules } from '../compare/validate-rules.js';
import { validateRoute, type RouteSpec } from '../compare/route-table.js';
import type { ComparisonRules } from '../compare/rules.js';

export interface ComparisonConfig {
  global: ComparisonRules;
  endpoints: Readonly<Record<string, ComparisonRules>>;
  routes: readonly RouteSpec[];
}

/** Config-file keys that hold structures rather than single settings. */
export const COMPARISON_FILE_KEYS = ['rules', 'routes'] as const;

export function parseComparisonConfig(file: Record<string, unknown>, errors: string[]): ComparisonConfig {
  const routes: RouteSpec[] = [];
  if (file.routes !== undefined) {
    if (!Array.isArray(file.routes)) errors.push("routes: must be a list of { pattern, method?, endpoint? }");
    else
      file.routes.forEach((r, i) => {
        const { route, errors: e } = validateRoute(r, `routes[${i}]`);
        errors.push(...e);
        if (route) routes.push(route);
      });
  }
  let global: ComparisonRules = {};
  const endpoints: Record<string, ComparisonRules> = {};
  if (file.rules !== undefined) {
    const rules = file.rules;
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
      errors.push('rules: must be a mapping with `global` and/or `endpoints`');
    } else {
      const r = rules as Record<string, unknown>;
      for (const key of Object.keys(r)) if (key !== 'global' && key !== 'endpoints') errors.push(`rules: unknown key '${key}' (expected global, endpoints)`);
      if (r.global !== undefined) {
        const v = validateRules(r.global, 'rules.global');
        errors.push(...v.errors);
        global = v.rules;
      }
      if (r.endpoints !== undefined) {
        if (typeof r.endpoints !== 'object' || r.endpoints === null || Array.isArray(r.endpoints)) {
          errors.push("rules.endpoints: must map endpoint names (e.g. 'GET /users/:id') to rules");
        } else {
          for (const [endpoint, value] of Object.entries(r.endpoints as Record<string, unknown>)) {
            if (!/^[A-Z]+ \/\S*$/.test(endpoint)) errors.push(`rules.endpoints: '${endpoint}' is not an endpoint name such as 'GET /users/:id'`);
            const v = validateRules(value, `rules.endpoints["${endpoint}"]`);
            errors.push(...v.errors);
            endpoints[endpoint] = v.rules;
          }
        }
      }
    }
  }
  return { global, endpoints, routes };
}
