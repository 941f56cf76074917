/**
 * The ingress's admin app, on a port of its own (`--admin-listen`): the ingress's main port belongs
 * to the proxied service, every path of it included. Listening is the caller's business.
 */
import Fastify, { type FastifyInstance } from 'fastify';

/** The exposition served on /metrics: one ingress's registry, or its workers' added up (ingress-cluster.ts). */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

export interface AdminAppOptions {
  metrics: MetricsSource;
  /** For /healthz: whether the queue answers now (the ingress serves either way). */
  isQueueAvailable(): boolean | Promise<boolean>;
}

const metricsSchema = {
  summary: "The ingress's own metrics, Prometheus text format.",
  response: { 200: { type: 'string' } },
} as const;

const healthSchema = {
  summary: 'Liveness: 200 while the ingress runs, whatever the queue does (pairs are dropped and counted while it is down).',
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['ok'] },
        queue: { type: 'string', enum: ['ok', 'unavailable'] },
      },
      required: ['status', 'queue'],
      additionalProperties: false,
    },
  },
} as const;

export function buildAdminApp(opts: AdminAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  app.get('/metrics', { schema: metricsSchema }, async (_req, reply) => {
    const text = await opts.metrics.text();
    return reply.header('content-type', opts.metrics.contentType).send(text);
  });
  app.get('/healthz', { schema: healthSchema }, async () => ({ status: 'ok' as const, queue: (await opts.isQueueAvailable()) ? ('ok' as const) : ('unavailable' as const) }));
  return app;
}
