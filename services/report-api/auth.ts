/**
 * REPORT_TOKEN: when set, everything but /healthz needs `Authorization: Bearer <token>`.
 * Tokens are compared through their SHA-256 digests with timingSafeEqual, so neither the content
 * nor the length of a wrong token shows in the response time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const OPEN_PATHS = new Set(['/healthz']);

const digest = (value: string) => createHash('sha256').update(value).digest();

export function tokenMatches(expected: Buffer, header: string | undefined): boolean {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) return false;
  return timingSafeEqual(expected, digest(match[1]));
}

export function installTokenAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (req, reply) => {
    if (OPEN_PATHS.has(req.url.split('?')[0] ?? '')) return;
    if (tokenMatches(expected, req.headers.authorization)) return;
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer realm="shadow-diff"')
      .send({ error: 'Unauthorized', code: 'SD_ERR_UNAUTHORIZED', message: 'a valid Authorization: Bearer <REPORT_TOKEN> header is required' });
  });
}
