/** /healthz: 200 when the store (and the queue, if any) answers. */
import type { FastifyPluginAsync } from 'fastify';
import type { JobQueue } from '../../libs/queue/queue.js';
import type { Store } from '../../libs/store/index.js';

export interface HealthRoutesOptions {
  store: Store;
  queue?: JobQueue | undefined;
}

const healthResponse = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    store: { type: 'string', enum: ['ok', 'unavailable'] },
    queue: { type: 'string', enum: ['ok', 'unavailable', 'none'] },
  },
  required: ['status', 'store', 'queue'],
} as const;

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { store, queue }) => {
  app.get('/healthz', { schema: { response: { 200: healthResponse, 503: healthResponse } } }, async (_req, reply) => {
    let storeOk = false;
    try {
      storeOk = store.sqlite.prepare('select 1 as ok').get() !== undefined;
    } catch {
      storeOk = false;
    }
    const queueState = queue ? ((await queue.ping()) ? 'ok' : 'unavailable') : 'none';
    const ok = storeOk && queueState !== 'unavailable';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', store: storeOk ? 'ok' : 'unavailable', queue: queueState });
  });
};
