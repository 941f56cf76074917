/**
 * The comparator's admin app (`comparator --admin-listen`): /healthz (readiness: the consumer, the
 * store and the queue), /livez (liveness: the consumer alone, so that a Redis or database outage
 * does not have every comparator restarted, which would not bring either back) and /metrics. Like the ingress's admin port it serves counters and health only,
 * never traffic or run content, and changes nothing: it has no token. Listening is the caller's.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ComparatorMetrics } from './comparator-metrics.js';

type State = 'ok' | 'unavailable';

export interface ComparatorHealth {
  /** Whether the consumer takes jobs now. */
  consumerRunning(): boolean;
  pingStore(): Promise<boolean>;
  pingQueue(): Promise<boolean>;
}

export interface ComparatorAdminOptions {
  metrics: ComparatorMetrics;
  health: ComparatorHealth;
  /** A ping that takes longer counts as unavailable: a probe must get its answer in time. */
  pingTimeoutMs?: number;
}

const stateSchema = { type: 'string', enum: ['ok', 'unavailable'] } as const;
const healthResponse = {
  type: 'object',
  properties: { status: stateSchema, consumer: stateSchema, store: stateSchema, queue: stateSchema },
  required: ['status', 'consumer', 'store', 'queue'],
  additionalProperties: false,
} as const;

const healthSchema = {
  summary: 'Health: 200 while the consumer runs and the store and the queue answer; 503 saying which does not.',
  response: { 200: healthResponse, 503: healthResponse },
} as const;

const liveSchema = {
  summary: 'Liveness: 200 while the consumer takes jobs, whatever the store and the queue do; 503 once it has stopped.',
  response: {
    200: { type: 'object', properties: { status: stateSchema }, required: ['status'], additionalProperties: false },
    503: { type: 'object', properties: { status: stateSchema }, required: ['status'], additionalProperties: false },
  },
} as const;

const metricsSchema = {
  summary: "The comparator's own metrics, Prometheus text format.",
  response: { 200: { type: 'string' } },
} as const;

async function answers(ping: () => Promise<boolean>, timeoutMs: number): Promise<State> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return (await Promise.race([ping().catch(() => false), late])) ? 'ok' : 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

export function buildComparatorAdminApp(opts: ComparatorAdminOptions): FastifyInstance {
  const timeoutMs = opts.pingTimeoutMs ?? 800;
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  app.get('/healthz', { schema: healthSchema }, async (_req, reply) => {
    const consumer: State = opts.health.consumerRunning() ? 'ok' : 'unavailable';
    const [store, queue] = await Promise.all([answers(opts.health.pingStore, timeoutMs), answers(opts.health.pingQueue, timeoutMs)]);
    const ok = consumer === 'ok' && store === 'ok' && queue === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', consumer, store, queue });
  });
  app.get('/livez', { schema: liveSchema }, async (_req, reply) => {
    const running = opts.health.consumerRunning();
    return reply.status(running ? 200 : 503).send({ status: running ? 'ok' : 'unavailable' });
  });
  app.get('/metrics', { schema: metricsSchema }, async (_req, reply) => {
    const text = await opts.metrics.text();
    return reply.header('content-type', opts.metrics.contentType).send(text);
  });
  return app;
}
