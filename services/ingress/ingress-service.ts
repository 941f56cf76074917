/** The ingress process: the proxy app (inline, or the mirror target), its drop reporting, its admin port, and its lifecycle. */
import type { FastifyInstance } from 'fastify';
import { DropCounter } from '../../libs/capture/drop-counter.js';
import { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import { DEFAULT_REDACTED_HEADERS } from '../../libs/http/redact-headers.js';
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import { compileTrustProxy } from '../../libs/http/forwarding.js';
import type { Logger } from '../../libs/logger.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { JobPublisher } from '../../libs/queue/queue.js';
import { buildAdminApp } from './admin-app.js';
import { buildIngressApp, type IngressApp } from './ingress-app.js';
import { IngressMetrics } from './ingress-metrics.js';
import { buildMirrorTargetApp } from './mirror-target-app.js';

export interface IngressService extends IngressApp {
  drops: DropCounter;
  recorder: ExchangeRecorder;
  url: string;
  /** With --admin-listen: the metrics the admin port serves, and its URL. */
  metrics: IngressMetrics | undefined;
  adminUrl: string | undefined;
  /** Stops accepting, finishes in-flight requests and pairs, reports drops, closes the admin port last. */
  close(): Promise<void>;
}

/** What the client is not told about a failing primary, logged: each at debug, a warning at most every 10 s. */
function primaryErrorLog(logger: Logger): (error: unknown) => void {
  let lastWarn = 0;
  let since = 0;
  return (error) => {
    since++;
    const err = { code: (error as { code?: string }).code, message: (error as Error).message };
    logger.debug({ err }, 'the primary failed');
    if (Date.now() - lastWarn < 10_000) return;
    logger.warn({ err, failures: since }, 'the primary failed; clients got 502/504');
    lastWarn = Date.now();
    since = 0;
  };
}

export async function startIngress(
  config: Pick<
    ShadowDiffConfig,
    | 'primary'
    | 'shadow'
    | 'secondary'
    | 'listen'
    | 'adminListen'
    | 'run'
    | 'mirrorPercent'
    | 'mirrorMethods'
    | 'shadowHostSuffix'
    | 'shadowTimeoutMs'
    | 'shadowMaxInFlight'
    | 'shadowMaxInFlightBytes'
    | 'captureMaxBytes'
    | 'primaryTimeoutMs'
    | 'requestTimeoutMs'
    | 'headersTimeoutMs'
    | 'redactHeaders'
    | 'trustProxy'
    | 'mode'
    | 'stripHostSuffix'
  >,
  publisher: JobPublisher,
  logger?: Logger,
  /** serveAdmin false (an --ingress-workers worker): the metrics are kept, the cluster's primary serves them. */
  opts: { serveAdmin?: boolean } = {},
): Promise<IngressService> {
  if (!config.primary || !config.shadow) throw new Error('primary and shadow are required');
  // The gauges read the proxy's state at scrape time; the proxy is built just below.
  let proxy: IngressApp | null = null;
  const metrics = config.adminListen
    ? new IngressMetrics({ shadowInFlight: () => proxy?.shadowInFlight() ?? 0, queueAvailable: () => publisher.isAvailable() })
    : undefined;
  const drops = new DropCounter(publisher, metrics && ((reason) => metrics.dropped(reason)));
  const recorder = new ExchangeRecorder(publisher, drops, [...DEFAULT_REDACTED_HEADERS, ...config.redactHeaders]);
  const common = {
    primary: config.primary,
    shadow: config.shadow,
    secondary: config.secondary,
    run: config.run,
    mirrorPercent: config.mirrorPercent,
    mirrorMethods: config.mirrorMethods,
    shadowTimeoutMs: config.shadowTimeoutMs,
    shadowMaxInFlight: config.shadowMaxInFlight,
    shadowMaxInFlightBytes: config.shadowMaxInFlightBytes,
    captureMaxBytes: config.captureMaxBytes,
    primaryTimeoutMs: config.primaryTimeoutMs,
    trustProxy: compileTrustProxy(config.trustProxy),
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    recorder,
    drops,
    metrics,
  };
  const ingress =
    config.mode === 'mirror-target'
      ? buildMirrorTargetApp({ ...common, stripHostSuffix: config.stripHostSuffix })
      : buildIngressApp({ ...common, shadowHostSuffix: config.shadowHostSuffix, ...(logger ? { onPrimaryError: primaryErrorLog(logger) } : {}) });
  proxy = ingress;
  const url = await ingress.server.listen(config.listen.host, config.listen.port);

  // The admin port comes up once the proxy listens: when its /healthz answers, the proxy serves too.
  let admin: FastifyInstance | null = null;
  let adminUrl: string | undefined;
  if (metrics && config.adminListen && opts.serveAdmin !== false) {
    admin = buildAdminApp({ metrics, isQueueAvailable: () => publisher.isAvailable() });
    try {
      adminUrl = await admin.listen({ host: config.adminListen.host, port: config.adminListen.port });
    } catch (error) {
      await admin.close();
      await ingress.close();
      throw error;
    }
  }
  drops.start();
  return {
    ...ingress,
    drops,
    recorder,
    url,
    metrics,
    adminUrl,
    async close() {
      await ingress.close();
      await ingress.drain();
      await drops.stop();
      // Last: the admin port answers scrapes while the proxy stops.
      if (admin) await closeGracefully(admin);
    },
  };
}
