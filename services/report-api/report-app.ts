/** The report API app factory; listening is the caller's business. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { JobQueue } from '../../libs/queue/queue.js';
import type { NoiseThresholds, Store } from '../../libs/store/index.js';
import { healthRoutes } from './health-routes.js';
import { installErrorHandler } from './http-errors.js';
import { reportRoutes } from './report-routes.js';

export interface ReportAppOptions {
  store: Store;
  defaultRun: string;
  queue?: JobQueue | undefined;
  /** Thresholds that decide which fields are noise (Diffy's rule). */
  noise?: NoiseThresholds;
  logLevel?: string;
}

export async function buildReportApp(opts: ReportAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logLevel && opts.logLevel !== 'silent'
        ? { level: opts.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] }
        : false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  installErrorHandler(app);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: 'Not Found', code: 'SD_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  await app.register(healthRoutes, { store: opts.store, queue: opts.queue });
  await app.register(reportRoutes, { prefix: '/api/v1', store: opts.store, defaultRun: opts.defaultRun, report: { noise: opts.noise } });
  return app;
}
