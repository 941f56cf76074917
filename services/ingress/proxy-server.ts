/**
 * The HTTP server in front of a proxy handler, shared by both ingress modes: every method node:http
 * parses (WebDAV and the like included; CONNECT aside), every path, bodies left unread for the
 * handler to stream, and a graceful close. Listening is separate from building.
 */
import { createServer, METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { serverTimeouts } from '../../libs/http/server-timeouts.js';
import { closeGracefully, closeServerGracefully } from '../../libs/lifecycle/close-gracefully.js';

export type ProxyHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the server enforces before the handler runs: the time a client has to send its headers (slowloris). */
export interface ProxyServerOptions {
  headersTimeoutMs: number;
}

export type ProxyServerFactory = (handle: ProxyHandler, onClose: () => Promise<void>, opts: ProxyServerOptions) => ProxyServer;

export interface ProxyServer {
  /** Resolves with the URL it serves. */
  listen(host: string, port: number): Promise<string>;
  /** True from the moment close() is called: a response sent then does not keep its connection alive. */
  readonly closing: boolean;
  /** Stops accepting, finishes in-flight requests (others get 503), closes connections as they go idle, then runs onClose. */
  close(): Promise<void>;
}

/** fastify's catch-all route, hijacked: fastify parses nothing, the handler owns the response. */
export function createFastifyProxyServer(handle: ProxyHandler, onClose: () => Promise<void>, opts: ProxyServerOptions): ProxyServer {
  const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true, http: serverTimeouts(opts.headersTimeoutMs) });
  // Leave every body unread: it streams to the primary as it arrives, whatever its size.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  for (const m of METHODS) {
    if (m !== 'CONNECT' && !app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
  }
  app.route({
    method: METHODS.filter((m) => m !== 'CONNECT'),
    url: '*',
    handler: (request, reply) => {
      reply.hijack();
      handle(request.raw, reply.raw);
    },
  });
  app.addHook('onClose', onClose);
  let closing = false;
  return {
    listen: (host, port) => app.listen({ host, port }),
    get closing() {
      return closing;
    },
    close() {
      closing = true;
      return closeGracefully(app);
    },
  };
}

/** fastify's defaults the ingress relied on: a long keep-alive, no whole-request timeout (RequestGuard has its own). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

const UNAVAILABLE = JSON.stringify({ error: 'Service Unavailable', message: 'the ingress is stopping' });

/** A request that arrives on a kept-alive connection while stopping: 503, and the connection closes. */
function unavailable(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(UNAVAILABLE), connection: 'close' });
  res.end(UNAVAILABLE);
}

/** A plain node:http server: node answers unparseable requests 400 and oversized headers 431 itself. */
export function createNodeProxyServer(handle: ProxyHandler, onClose: () => Promise<void>, opts: ProxyServerOptions): ProxyServer {
  let closing = false;
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, ...serverTimeouts(opts.headersTimeoutMs) }, (req, res) => {
    if (closing) unavailable(req, res);
    else handle(req, res);
  });
  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
        });
      }),
    get closing() {
      return closing;
    },
    async close() {
      closing = true;
      await closeServerGracefully(server);
      await onClose();
    },
  };
}

/**
 * The server both ingress modes run on. bench/ingress-server-overhead.ts measures both: on the same
 * proxy step they were within noise of each other (65-67 µs of CPU per request, req/s within 2 %),
 * so fastify stays; node:http is kept for that benchmark, and is a one-line switch.
 */
export const createProxyServer: ProxyServerFactory = createFastifyProxyServer;
