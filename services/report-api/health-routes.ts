/** /healthz: 200 when the store (and the queue, if any) answers. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { stringEnum } from '../../libs/api/schema-kit.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import type { Store } from '../../libs/store/index.js';
import { PUBLIC } from './auth.js';

export interface HealthRoutesOptions {
  store: Store;
  queue?: JobQueue | undefined;
}

const up = ['ok', 'unavailable'] as const;
const healthResponse = Type.Object({ status: stringEnum(up), store: stringEnum(up), queue: stringEnum([...up, 'none']) });

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { store, queue }) => {
  app.get('/healthz', { ...PUBLIC, schema: { response: { 200: healthResponse, 503: healthResponse } } }, async (_req, reply) => {
    const [storeOk, queueState] = await Promise.all([
      store.ping().catch(() => false),
      queue ? queue.ping().then((ok) => (ok ? 'ok' : 'unavailable')) : Promise.resolve('none'),
    ]);
    const ok = storeOk && queueState !== 'unavailable';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', store: storeOk ? 'ok' : 'unavailable', queue: queueState });
  });
};
