/**
 * prom-client's default process metrics in a process's own registry, under its prefix, kept
 * promtool-clean. prom-client's defaults include gauges named `…_total` (nodejs_active_handles_total
 * and its request and resource siblings), which Prometheus reserves for counters: promtool's lint
 * refuses them. Each is the sum of a per-type gauge that stays (`sum(nodejs_active_handles)`), so
 * nothing is lost.
 */
import { Counter, collectDefaultMetrics, type Registry } from 'prom-client';

export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const metric of registry.getMetricsAsArray()) {
    if (metric.name.endsWith('_total') && !(metric instanceof Counter)) registry.removeSingleMetric(metric.name);
  }
}
