/**
 * The OpenAPI 3.0 document (/openapi.json), generated from the route schemas. With a token, the
 * bearer scheme applies to every route globally and each documented route lists its 401; /healthz
 * is public and says so. Without a token the document declares no scheme: it describes the API as
 * served.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorResponse } from '../../libs/api/index.js';

/** Routes served without the token (auth.ts lets them through); hidden ones are not documented. */
const PUBLIC_ROUTES = new Set(['/healthz']);

function documentUnauthorized(route: RouteOptions): void {
  const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean; security?: unknown[] }) | undefined;
  if (!schema || schema.hide) return;
  if (PUBLIC_ROUTES.has(route.url)) {
    route.schema = { ...schema, security: [] };
    return;
  }
  const response = (schema.response ?? {}) as Record<string, unknown>;
  route.schema = { ...schema, response: { ...response, 401: { ...errorResponse, description: 'No valid bearer token (REPORT_TOKEN)' } } };
}

/** Call before the routes are registered. */
export async function installOpenApi(app: FastifyInstance, secured: boolean): Promise<void> {
  if (secured) app.addHook('onRoute', documentUnauthorized);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'shadow-diff report API', version: '1', description: 'Where the shadow differs from the primary, and the rollout gate.' },
      ...(secured
        ? {
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The REPORT_TOKEN the report API was started with' } } },
            security: [{ bearer: [] }],
          }
        : {}),
    },
  });
}
