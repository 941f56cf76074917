/**
 * Closes a server the way a proxy must stop: no new connections, in-flight requests finished,
 * and every keep-alive connection closed as soon as its response is out. server.close() (and
 * fastify's close()) alone closes only the connections idle at the moment it is called; the others
 * would linger until their keep-alive timeout, far past an orchestrator's stop window.
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

export async function closeGracefully(app: FastifyInstance, sweepMs = 50): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), sweepMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

/** The same for a plain node:http server. */
export async function closeServerGracefully(server: Server, sweepMs = 50): Promise<void> {
  const sweep = setInterval(() => server.closeIdleConnections(), sweepMs);
  try {
    await new Promise<void>((resolve, reject) => server.close((error) => (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(error) : resolve())));
  } finally {
    clearInterval(sweep);
  }
}
