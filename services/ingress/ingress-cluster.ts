/**
 * `--ingress-workers N`: N ingress processes on one listening port, with node:cluster. The primary
 * process forks the workers and shares the port with them; each worker is a whole ingress (its own
 * queue publisher, drop counter and metrics). The primary serves the admin port once, with the
 * workers' metrics added up (prom-client's AggregatorRegistry), restarts a worker that dies, and on
 * stop asks each worker to stop gracefully (drain its pairs, report its drops) before it exits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { Logger } from '../../libs/logger.js';
import { buildAdminApp } from './admin-app.js';
import { INGRESS_METRICS_PREFIX } from './ingress-metrics.js';

/** Set in a worker's environment (its slot, 1..N): only processes this primary forked act as workers. */
const WORKER_ENV = 'SHADOW_DIFF_INGRESS_WORKER';

/** Past this, a worker still stopping is killed and the stop reported unclean. */
const STOP_GRACE_MS = 25_000;

export function isIngressWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] !== undefined;
}

/**
 * In a worker, first thing: it answers the primary's requests for metrics from now on, with none
 * while it starts (unanswered, a starting worker would hold every scrape for prom-client's 5 s).
 */
export function answerMetrics(): void {
  new AggregatorRegistry(); // installs the worker's side of the exchange
  AggregatorRegistry.setRegistries([]);
}

/** In a worker, once its ingress runs: these are the metrics it answers with. */
export function shareMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
}

export interface IngressCluster {
  url: string;
  adminUrl: string | undefined;
  workers(): number;
  close(): Promise<void>;
}

const urlOf = (address: { address: string; port: number; addressType: number | string }) =>
  `http://${address.addressType === 6 || address.addressType === 'udp6' ? `[${address.address}]` : address.address}:${address.port}`;

/** The worker's exit code, or the signal that ended it. */
const exitOf = (worker: Worker): Promise<number | string | null> =>
  worker.isDead()
    ? Promise.resolve(worker.process.exitCode ?? worker.process.signalCode)
    : new Promise((resolve) => worker.once('exit', (code: number | null, signal: string | null) => resolve(code ?? signal)));

export async function startIngressCluster(config: Pick<ShadowDiffConfig, 'ingressWorkers' | 'adminListen'>, logger: Logger): Promise<IngressCluster> {
  const workers = new Map<number, Worker>();
  let started = false;
  let stopping = false;

  /** Workers listening: one stopped before it listened held no request and no pair. */
  const serving = new WeakSet<Worker>();

  const fork = (slot: number): Worker => {
    const worker = cluster.fork({ [WORKER_ENV]: String(slot) });
    workers.set(slot, worker);
    worker.once('listening', () => {
      serving.add(worker);
      if (started) logger.info({ worker: slot }, 'the new ingress worker listens');
    });
    worker.once('exit', (code, signal) => {
      if (workers.get(slot) !== worker || stopping || !started) return;
      logger.warn({ worker: slot, code, signal }, 'an ingress worker died; starting another');
      fork(slot);
    });
    return worker;
  };

  const listening = (worker: Worker) =>
    new Promise<string>((resolve, reject) => {
      worker.once('listening', (address) => resolve(urlOf(address)));
      worker.once('exit', (code) => reject(new Error(`an ingress worker exited with ${code} before it listened`)));
    });

  const stopWorkers = async (): Promise<(number | string | null)[]> => {
    stopping = true;
    const all = [...workers.values()];
    const exits = all.map(exitOf);
    for (const w of all) if (!w.isDead()) w.process.kill('SIGTERM');
    const late = setTimeout(() => all.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), STOP_GRACE_MS);
    const codes = await Promise.all(exits);
    clearTimeout(late);
    return codes.map((code, i) => (code === 'SIGTERM' && !serving.has(all[i] as Worker) ? 0 : code));
  };

  let url: string;
  try {
    [url] = (await Promise.all(Array.from({ length: config.ingressWorkers }, (_, i) => listening(fork(i + 1))))) as [string];
  } catch (error) {
    await stopWorkers();
    throw error;
  }
  started = true;

  let admin: FastifyInstance | null = null;
  let adminUrl: string | undefined;
  if (config.adminListen) {
    const aggregator = new AggregatorRegistry();
    const queueUp = new RegExp(`^${INGRESS_METRICS_PREFIX}queue_available 1$`, 'm');
    admin = buildAdminApp({
      metrics: { contentType: aggregator.contentType, text: () => aggregator.clusterMetrics() },
      // The gauge is added up with `min`: 1 only when every worker reaches the queue.
      isQueueAvailable: async () => queueUp.test(await aggregator.clusterMetrics().catch(() => '')),
    });
    try {
      adminUrl = await admin.listen({ host: config.adminListen.host, port: config.adminListen.port });
    } catch (error) {
      await admin.close();
      await stopWorkers();
      throw error;
    }
  }

  return {
    url,
    adminUrl,
    workers: () => [...workers.values()].filter((w) => !w.isDead()).length,
    async close() {
      const codes = await stopWorkers();
      // Last: the admin port answers scrapes while the workers stop.
      if (admin) await closeGracefully(admin);
      if (codes.some((code) => code !== 0)) throw new Error(`ingress workers exited with ${codes.join(', ')}`);
    },
  };
}
