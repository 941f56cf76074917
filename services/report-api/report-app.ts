/** The report API app factory; listening is the caller's business. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { defaultValue } from '../../libs/config/load-config.js';
import { serverTimeouts } from '../../libs/http/server-timeouts.js';
import { secretHeaderPaths } from '../../libs/logger.js';
import type { JobPublisher, JobQueue } from '../../libs/queue/queue.js';
import type { NoiseThresholds, Store } from '../../libs/store/index.js';
import { FORM_PATHS, installTokenAuth } from './auth.js';
import { requireJsonBodies } from './csrf.js';
import { gateRoutes } from './gate-routes.js';
import { healthRoutes } from './health-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { replayRoutes } from './replay-routes.js';
import type { ReplayTargetPolicy } from './replay-targets.js';
import { frameworkErrors, installErrorHandler, notFound, sendError } from './http-errors.js';
import { installOpenApi } from './openapi.js';
import { reportRoutes } from './report-routes.js';
import { installStrictNumbers } from './strict-parameters.js';
import { trendRoutes } from './trend-routes.js';
import { webRoutes } from './web-routes.js';

export interface ReportAppOptions {
  store: Store;
  defaultRun: string;
  queue?: JobQueue | undefined;
  /** Thresholds that decide which fields are noise (Diffy's rule). */
  noise?: NoiseThresholds;
  /** The comparators' --max-endpoints: reported with the cap status. */
  maxEndpoints?: number | undefined;
  /** When set, every route but /healthz requires `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Where replays started over HTTP publish their exchanges (absent: no replay routes). */
  replays?: { publisher: JobPublisher; captureMaxBytes: number; targets: ReplayTargetPolicy } | undefined;
  logLevel?: string;
  /**
   * Fastify's trustProxy: which proxies' X-Forwarded-Proto/-Host/-For to believe (the login cookie
   * is Secure when the browser's side is https). Off: the connection decides.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /**
   * Slowloris: time a client has for its request headers, and then for the rest of its request
   * (--headers-timeout, --request-timeout); past either, 408 and the connection is closed.
   */
  timeouts?: { headersMs: number; requestMs: number } | undefined;
}

/** The option table's defaults, for apps built without a configuration (tests, embedders). */
const TABLE_TIMEOUTS = { headersMs: defaultValue('headersTimeoutMs') as number, requestMs: defaultValue('requestTimeoutMs') as number };

export async function buildReportApp(opts: ReportAppOptions): Promise<FastifyInstance> {
  const timeouts = opts.timeouts ?? TABLE_TIMEOUTS;
  const http = serverTimeouts(timeouts.headersMs, timeouts.headersMs + timeouts.requestMs);
  const app = Fastify({
    logger:
      opts.logLevel && opts.logLevel !== 'silent'
        ? { level: opts.logLevel, redact: secretHeaderPaths(['req.', 'res.']) }
        : false,
    bodyLimit: 64 * 1024,
    http,
    // Fastify sets it on the server after creating it: the same value.
    requestTimeout: http.requestTimeout ?? 0,
    frameworkErrors,
    trustProxy: opts.trustProxy ?? false,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false } },
  });
  installErrorHandler(app);
  installStrictNumbers(app);
  if (opts.token) await installTokenAuth(app, opts.token);
  requireJsonBodies(app, opts.token ? FORM_PATHS : new Set());
  await installOpenApi(app, Boolean(opts.token));
  app.setNotFoundHandler((req, reply) => sendError(reply, notFound(`no route ${req.method} ${req.url.split('?')[0]}`)));
  await app.register(healthRoutes, { store: opts.store, queue: opts.queue });
  const report = { noise: opts.noise, maxEndpoints: opts.maxEndpoints };
  await app.register(reportRoutes, { prefix: '/api/v1', store: opts.store, defaultRun: opts.defaultRun, report });
  await app.register(trendRoutes, { prefix: '/api/v1', store: opts.store, defaultRun: opts.defaultRun, report });
  await app.register(gateRoutes, { prefix: '/api/v1', store: opts.store, defaultRun: opts.defaultRun, report });
  await app.register(metricsRoutes, { store: opts.store, report });
  if (opts.replays) await app.register(replayRoutes, { prefix: '/api/v1', store: opts.store, ...opts.replays });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The same document where the browser's session reaches (the report's footer links to it).
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webRoutes);
  return app;
}
