/**
 * Cross-site request forgery. A browser attaches the login cookie to a request another site makes
 * it send (SameSite=Strict does not help against another port or subdomain of the same site), so
 * a state-changing request authenticated by the cookie must come from the report's own origin. And
 * every state-changing body is JSON: a form (urlencoded, multipart, text/plain) is what a page on
 * another origin can send without a CORS preflight; form parsing exists on /login only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnsupportedMediaTypeError } from '../../libs/errors.js';
import { sendError } from './http-errors.js';
import { mediaType } from '../../libs/http/headers.js';
import { hasBody } from '../../libs/http/upstream-headers.js';

const STATE_CHANGING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const isStateChanging = (method: string) => STATE_CHANGING.has(method);

/**
 * Sec-Fetch-Site when the browser sends it (https and localhost), else Origin, compared by host and
 * port with the Host the browser addressed (X-Forwarded-Host behind a trusted proxy). The scheme is
 * left out: behind a TLS-terminating proxy the report sees http while the page is https, and one
 * host and port serves one scheme. No Origin at all is refused: browsers send it on every POST.
 */
export function isSameOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host === new URL(`${req.protocol}://${req.host}`).host;
  } catch {
    return false;
  }
}

const contentType = (req: FastifyRequest) => mediaType(req.headers['content-type']);

/** Every state-changing request with a body, but the login form, must send application/json: else 415. */
export function requireJsonBodies(app: FastifyInstance, formPaths: ReadonlySet<string>): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!isStateChanging(req.method) || !hasBody(req.headers) || contentType(req) === 'application/json') return;
    if (formPaths.has(req.url.split('?')[0] ?? '')) return;
    return sendError(
      reply,
      new UnsupportedMediaTypeError(`this route takes a JSON body (content-type application/json), got '${contentType(req).slice(0, 100) || 'none'}'`),
    );
  });
}
