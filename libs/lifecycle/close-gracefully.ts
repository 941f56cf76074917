/**
 * Closes a fastify app the way a proxy must stop: no new connections, in-flight requests finished,
 * and every keep-alive connection closed as soon as its response is out. fastify alone closes only
 * the connections idle at the moment close() is called; the others would linger until their
 * keep-alive timeout, far past an orchestrator's stop window.
 */
import type { FastifyInstance } from 'fastify';

export async function closeGracefully(app: FastifyInstance, sweepMs = 50): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), sweepMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
