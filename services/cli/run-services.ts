/** Each CLI command as a function: wire libs and services, start, and hand back one close(). */
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { Logger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { compileTrustProxy } from '../../libs/http/forwarding.js';
import { openStore, redactionKey, type Store } from '../../libs/store/index.js';
import { buildComparatorAdminApp } from '../comparator/comparator-admin-app.js';
import { ComparatorMetrics } from '../comparator/comparator-metrics.js';
import { comparatorConfigOf, comparatorSettings } from '../comparator/comparator-settings.js';
import { startComparator, type ComparatorService } from '../comparator/comparator-service.js';
import { retentionConfigOf, startRetention } from '../comparator/retention.js';
import { defaultComparatorThreads, startThreadedComparator, type ThreadedComparator } from '../comparator/threaded-comparator.js';
import { answerMetrics, isIngressWorker, shareMetrics, startIngressCluster } from '../ingress/ingress-cluster.js';
import { startIngress, type IngressService } from '../ingress/ingress-service.js';
import { buildReportApp } from '../report-api/report-app.js';

export { comparatorSettings };

export interface Running {
  urls: { ingress?: string; report?: string; admin?: string };
  queue?: JobQueue;
  /** The comparator in this process, when there is one: its threads, for health and tests. */
  comparator?: ComparatorService | ThreadedComparator;
  close(): Promise<void>;
}

function openQueue(config: ShadowDiffConfig, logger: Logger): JobQueue {
  const onFailed = (job: { id?: string; name: string }, error: unknown) =>
    logger.error({ job: job.id, name: job.name, err: error }, 'job failed for good; it stays in the failed set');
  if (config.redis) {
    return createBullmqQueue({ url: config.redis, prefix: config.queuePrefix, maxBacklog: config.queueMaxBacklog, maxBacklogBytes: config.queueMaxBacklogBytes, lockMs: config.jobLockMs, onFailed });
  }
  return createEmbeddedQueue({ maxBacklog: config.queueMaxBacklog, maxBacklogBytes: config.queueMaxBacklogBytes, onFailed });
}

/** How long a starting process waits for Redis before it serves anyway (pairs are dropped until it answers). */
const QUEUE_READY_TIMEOUT_MS = 5000;

async function queueReady(queue: JobQueue, logger: Logger): Promise<void> {
  if (!(await queue.ready(QUEUE_READY_TIMEOUT_MS))) {
    logger.warn('the queue is not reachable yet; serving anyway: mirrored pairs are counted as dropped until it answers');
  }
}

const replayTargets = (config: ShadowDiffConfig) => ({ allow: config.replayAllow, maxConcurrent: config.maxReplays });
const timeoutsOf = (config: ShadowDiffConfig) => ({ headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs });
const noiseThresholds = (config: ShadowDiffConfig) => ({ absolute: config.noiseAbsoluteThreshold, relative: config.noiseRelativeThreshold });

/** The ingress's admin port, in `urls.admin`, when --admin-listen is set. */
const adminUrl = (ingress: IngressService): { admin?: string } => (ingress.adminUrl ? { admin: ingress.adminUrl } : {});

/**
 * The comparator of `start` and of report-api's replays: in --comparator-threads threads (retention
 * with them), or on this thread with 0. Either way it reads the same settings and the store's key.
 */
async function startLocalComparator(
  config: ShadowDiffConfig,
  queue: JobQueue,
  store: Store,
  logger: Logger,
  retention: boolean,
): Promise<{ comparator: ComparatorService | ThreadedComparator; stop(): Promise<void> }> {
  const key = await redactionKey(store);
  const threads = config.comparatorThreads ?? defaultComparatorThreads();
  if (threads === 0) {
    const comparator = startComparator({ queue, store, concurrency: config.comparatorConcurrency, settings: comparatorSettings(config, key), logger });
    const stopRetention = retention ? startRetention(config, store, logger) : () => {};
    return { comparator, stop: async () => (stopRetention(), await comparator.close()) };
  }
  const comparator = await startThreadedComparator({
    queue,
    threads,
    concurrency: config.comparatorConcurrency,
    data: { db: config.db, redactionKey: key, comparator: comparatorConfigOf(config), retention: retention ? retentionConfigOf(config) : null, logLevel: config.logLevel },
    logger,
  });
  return { comparator, stop: () => comparator.close() };
}

async function waitForBacklog(backlog: () => Promise<number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await backlog().catch(() => 0)) > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `start`: ingress, comparator and report API in one process, over Redis when configured, else embedded. */
export async function runAll(config: ShadowDiffConfig, logger: Logger): Promise<Running> {
  const store = await openStore(config.db);
  const queue = openQueue(config, logger);
  const { comparator, stop: stopComparator } = await startLocalComparator(config, queue, store, logger, true);
  await queueReady(queue, logger);
  const ingress = await startIngress(config, queue.publisher, logger);
  // The report API comes up last: once /healthz answers, the ingress is serving too.
  const report = await buildReportApp({ store, defaultRun: config.run, queue: config.redis ? queue : undefined, noise: noiseThresholds(config), maxEndpoints: config.maxEndpoints, token: config.reportToken, trustProxy: compileTrustProxy(config.trustProxy), timeouts: timeoutsOf(config), replays: { publisher: queue.publisher, captureMaxBytes: config.captureMaxBytes, targets: replayTargets(config) }, logLevel: 'warn' });
  const reportUrl = await report.listen({ host: config.reportListen.host, port: config.reportListen.port });
  return {
    urls: { ingress: ingress.url, report: reportUrl, ...adminUrl(ingress) },
    queue,
    comparator,
    async close() {
      await ingress.close();
      // Embedded jobs live in this process only: compare what is queued before leaving.
      if (queue.kind === 'embedded') await waitForBacklog(() => comparator.consumer.backlog(), 10_000);
      await stopComparator();
      await closeGracefully(report);
      await queue.close();
      await store.close();
    },
  };
}

/** --ingress-workers N > 1: this process forks the workers and serves their admin port; the queue is theirs. */
async function runIngressPrimary(config: ShadowDiffConfig, logger: Logger): Promise<Running> {
  const workers = await startIngressCluster(config, logger);
  return { urls: { ingress: workers.url, ...(workers.adminUrl ? { admin: workers.adminUrl } : {}) }, close: () => workers.close() };
}

export async function runIngress(config: ShadowDiffConfig, logger: Logger): Promise<Running> {
  const worker = isIngressWorker();
  if (config.ingressWorkers > 1 && !worker) return runIngressPrimary(config, logger);
  if (worker) answerMetrics();
  const queue = openQueue(config, logger);
  await queueReady(queue, logger);
  // A worker keeps its metrics for the primary, which serves the admin port for all of them.
  const ingress = await startIngress(config, queue.publisher, logger, { serveAdmin: !worker });
  if (worker && ingress.metrics) shareMetrics(ingress.metrics.registry);
  return {
    urls: { ingress: ingress.url, ...adminUrl(ingress) },
    queue,
    async close() {
      await ingress.close();
      await queue.close();
    },
  };
}

/** The comparator's admin port (--admin-listen): its health and counters; null without the flag. */
async function listenComparatorAdmin(config: ShadowDiffConfig, parts: { comparator: ComparatorService; store: Store; queue: JobQueue; metrics: ComparatorMetrics }) {
  if (!config.adminListen) return null;
  const admin = buildComparatorAdminApp({
    metrics: parts.metrics,
    health: { consumerRunning: () => parts.comparator.consumer.isRunning(), pingStore: () => parts.store.ping(), pingQueue: () => parts.queue.ping() },
  });
  try {
    return { app: admin, url: await admin.listen({ host: config.adminListen.host, port: config.adminListen.port }) };
  } catch (error) {
    await admin.close();
    throw error;
  }
}

export async function runComparator(config: ShadowDiffConfig, logger: Logger): Promise<Running> {
  const store = await openStore(config.db);
  const queue = openQueue(config, logger);
  const metrics = new ComparatorMetrics();
  const comparator = startComparator({ queue, store, concurrency: config.comparatorConcurrency, settings: comparatorSettings(config, await redactionKey(store)), logger, metrics });
  const stopRetention = startRetention(retentionConfigOf(config), store, logger);
  // As the ingress does: once its /healthz answers, the queue has been reached (or 5 s went by).
  await queueReady(queue, logger);
  const admin = await listenComparatorAdmin(config, { comparator, store, queue, metrics }).catch(async (error: unknown) => {
    stopRetention();
    await comparator.close();
    await queue.close();
    await store.close();
    throw error;
  });
  return {
    urls: admin ? { admin: admin.url } : {},
    queue,
    async close() {
      stopRetention();
      await comparator.close();
      await queue.close();
      await store.close();
      // Last: the probes and scrapes get their answer (503 once the consumer stops) until the end.
      if (admin) await closeGracefully(admin.app);
    },
  };
}

export async function runReportApi(config: ShadowDiffConfig, logger: Logger): Promise<Running> {
  const store = await openStore(config.db);
  const queue = config.redis ? openQueue(config, logger) : undefined;
  // Replays started over HTTP go to Redis when there is one; else they are compared in this process.
  const replayQueue = queue ?? openQueue(config, logger);
  // Off the loop that serves the report, like start's: no retention here, as before.
  const replayComparator = queue ? null : await startLocalComparator(config, replayQueue, store, logger, false);
  const report = await buildReportApp({
    store,
    defaultRun: config.run,
    queue,
    noise: noiseThresholds(config),
    maxEndpoints: config.maxEndpoints,
    token: config.reportToken,
    trustProxy: compileTrustProxy(config.trustProxy),
    timeouts: timeoutsOf(config),
    replays: { publisher: replayQueue.publisher, captureMaxBytes: config.captureMaxBytes, targets: replayTargets(config) },
    logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
  });
  const url = await report.listen({ host: config.reportListen.host, port: config.reportListen.port });
  return {
    urls: { report: url },
    queue,
    ...(replayComparator ? { comparator: replayComparator.comparator } : {}),
    async close() {
      await closeGracefully(report);
      await replayComparator?.stop();
      await replayQueue.close();
      await store.close();
    },
  };
}
