/**
 * GET /metrics: Prometheus text, derived from the store at scrape time, so the figures agree with
 * the summary however many comparator processes write. Endpoint labels are templates, never raw paths.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { endpointStats, listRuns, type ReportOptions, type Store } from '../../libs/store/index.js';

export interface MetricsRoutesOptions {
  store: Store;
  report: ReportOptions;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { store, report }) => {
  const registry = new Registry();
  const comparisons = new Counter({
    name: 'shadowdiff_comparisons_total',
    help: 'Exchanges compared, by run, endpoint and result (match or mismatch; noise does not make a mismatch).',
    labelNames: ['run', 'endpoint', 'result'] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'shadowdiff_skipped_total',
    help: 'Exchanges recorded but not compared, by reason (body over the capture limit, comparison budget, primary error, comparator_error, ...).',
    labelNames: ['run', 'endpoint', 'reason'] as const,
    registers: [registry],
  });
  const shadowErrors = new Counter({
    name: 'shadowdiff_shadow_errors_total',
    help: 'Compared exchanges whose shadow answered 5xx, timed out or failed to connect.',
    labelNames: ['run', 'endpoint'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'shadowdiff_dropped_total',
    help: 'Mirrored exchanges lost before the queue, as reported by the ingresses.',
    labelNames: ['run'] as const,
    registers: [registry],
  });

  async function refresh(): Promise<void> {
    for (const c of [comparisons, skipped, shadowErrors, dropped]) c.reset();
    for (const run of listRuns(store, report)) {
      for (const e of endpointStats(store, run.run, report)) {
        comparisons.inc({ run: run.run, endpoint: e.endpoint, result: 'match' }, e.compared - e.mismatched);
        comparisons.inc({ run: run.run, endpoint: e.endpoint, result: 'mismatch' }, e.mismatched);
        for (const [reason, n] of Object.entries(e.skippedByReason)) skipped.inc({ run: run.run, endpoint: e.endpoint, reason }, n);
        shadowErrors.inc({ run: run.run, endpoint: e.endpoint }, e.shadowErrors);
      }
      const runDrops = store.sqlite.prepare('select coalesce(sum(count), 0) as n from drops where run = ?').get(run.run) as { n: number };
      dropped.inc({ run: run.run }, runDrops.n);
    }
  }

  app.get('/metrics', { schema: { summary: 'Prometheus metrics derived from the store', hide: false } }, async (_req, reply) => {
    await refresh();
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
};
