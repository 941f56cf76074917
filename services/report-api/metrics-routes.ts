/**
 * GET /metrics: Prometheus text, derived from the store's rollups at scrape time, so the figures agree
 * with the summary however many comparator processes write. Endpoint labels are templates, never raw
 * paths. Counters count before noise (a rollup only grows, so a counter never goes down and rate()
 * holds); what noise decides at report time (it can change its mind) is exposed as gauges.
 * Naming: docs/gating.md#prometheus.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { metricsFigures, type ReportOptions, type Store } from '../../libs/store/index.js';

export interface MetricsRoutesOptions {
  store: Store;
  report: ReportOptions;
}

function metrics(registry: Registry) {
  const registers = [registry];
  return {
    comparisons: new Counter({
      name: 'shadowdiff_comparisons_total',
      help: 'Exchanges compared, by run, endpoint and result, before noise: mismatch when the shadow differed from the primary (not cancelled by the secondary on the same request), else match.',
      labelNames: ['run', 'endpoint', 'result'] as const,
      registers,
    }),
    skipped: new Counter({
      name: 'shadowdiff_skipped_total',
      help: 'Exchanges recorded but not compared, by reason (body over the capture limit, comparison budget, primary error, comparator_error, ...).',
      labelNames: ['run', 'endpoint', 'reason'] as const,
      registers,
    }),
    shadowErrors: new Counter({
      name: 'shadowdiff_shadow_errors_total',
      help: 'Compared exchanges whose shadow answered 5xx, timed out or failed to connect.',
      labelNames: ['run', 'endpoint'] as const,
      registers,
    }),
    dropped: new Counter({
      name: 'shadowdiff_dropped_total',
      help: 'Mirrored exchanges lost before the queue, as reported by the ingresses.',
      labelNames: ['run'] as const,
      registers,
    }),
    mismatched: new Gauge({
      name: 'shadowdiff_mismatched',
      help: 'Exchanges mismatched after noise (Diffy rule over the whole run), by run and endpoint: what the summary and the gate count. Can go down when a field turns out to be noise.',
      labelNames: ['run', 'endpoint'] as const,
      registers,
    }),
    mismatchRate: new Gauge({
      name: 'shadowdiff_mismatch_rate',
      help: 'Mismatched after noise / compared, over the whole run (0 when nothing was compared): the summary\'s mismatchRate.',
      labelNames: ['run'] as const,
      registers,
    }),
  };
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { store, report }) => {
  const registry = new Registry();
  const m = metrics(registry);

  async function refresh(): Promise<void> {
    const runs = await metricsFigures(store, report);
    for (const metric of Object.values(m)) metric.reset();
    for (const r of runs) {
      for (const e of r.endpoints) {
        const labels = { run: r.run, endpoint: e.endpoint };
        m.comparisons.inc({ ...labels, result: 'match' }, e.compared - e.differing);
        m.comparisons.inc({ ...labels, result: 'mismatch' }, e.differing);
        for (const [reason, n] of Object.entries(e.skippedByReason)) m.skipped.inc({ ...labels, reason }, n);
        m.shadowErrors.inc(labels, e.shadowErrors);
        m.mismatched.set(labels, e.mismatched);
      }
      m.dropped.inc({ run: r.run }, r.dropped);
      m.mismatchRate.set({ run: r.run }, r.mismatchRate);
    }
  }

  app.get('/metrics', { schema: { summary: 'Prometheus metrics derived from the store', hide: false } }, async (_req, reply) => {
    await refresh();
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
};
