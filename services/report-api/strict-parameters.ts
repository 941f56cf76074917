/**
 * Numeric parameters are read here, strictly, before Ajv sees them: Ajv's coercion turns ' ' into 0,
 * '0x10' into 16 and '1e309' into Infinity. Every route's querystring and body properties typed
 * `number` or `integer` are checked against their own schema's minimum and maximum, so the
 * documented range and the enforced one are the same numbers.
 */
import type { FastifyInstance, preValidationHookHandler, RouteOptions } from 'fastify';
import { checkNumber, parseNumberText, type NumberSpec } from '../../libs/values/numbers.js';
import { badParameter } from './http-errors.js';

interface PropertySchema {
  type?: unknown;
  minimum?: number;
  maximum?: number;
}

/** The strict number rules of an object schema's numeric properties (the Flagger webhook's metadata reads them too). */
export function numericSpecs(schema: unknown): Map<string, NumberSpec> {
  const specs = new Map<string, NumberSpec>();
  const properties = (schema as { properties?: Record<string, PropertySchema> } | undefined)?.properties ?? {};
  for (const [name, p] of Object.entries(properties)) {
    if (p.type !== 'number' && p.type !== 'integer') continue;
    const integer = p.type === 'integer';
    specs.set(name, { integer, min: p.minimum ?? 0, max: p.maximum ?? (integer ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE) });
  }
  return specs;
}

function checkQuery(specs: Map<string, NumberSpec>): preValidationHookHandler {
  return async (req) => {
    const query = req.query as Record<string, unknown>;
    for (const [name, spec] of specs) {
      const raw = query[name];
      if (raw === undefined) continue;
      if (typeof raw !== 'string') throw badParameter(name, 'must be given once');
      const parsed = parseNumberText(raw, spec);
      if (!parsed.ok) throw badParameter(name, parsed.problem);
      query[name] = parsed.value;
    }
  };
}

function checkBody(specs: Map<string, NumberSpec>): preValidationHookHandler {
  return async (req) => {
    const body = req.body as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null) return; // Ajv answers for the body as a whole
    for (const [name, spec] of specs) {
      if (!(name in body)) continue;
      // A JSON body carries numbers as numbers: "8", null or 1e309 (parsed to Infinity) are refused.
      const checked = checkNumber(body[name], spec);
      if (!checked.ok) throw badParameter(name, checked.problem);
    }
  };
}

/** Call before any route is registered. */
export function installStrictNumbers(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const hooks: preValidationHookHandler[] = [];
    const query = numericSpecs(route.schema?.querystring);
    const body = numericSpecs(route.schema?.body);
    if (query.size > 0) hooks.push(checkQuery(query));
    if (body.size > 0) hooks.push(checkBody(body));
    if (hooks.length === 0) return;
    const existing = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [...hooks, ...existing];
  });
}
