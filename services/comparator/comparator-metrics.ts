/**
 * The comparator's own counters, in a registry of its own (as the ingress's), served on its admin
 * port. Counts of this process only: what every comparator recorded is in the store, and the
 * report's /metrics. The names are an interface, like the ingress's.
 */
import { Counter, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../libs/metrics/process-metrics.js';

export const COMPARATOR_METRICS_PREFIX = 'shadowdiff_comparator_';

export class ComparatorMetrics {
  readonly registry = new Registry();
  private readonly handled: Counter;
  private readonly failed: Counter;
  private readonly errors: Counter;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const p = COMPARATOR_METRICS_PREFIX;
    this.handled = new Counter({ name: `${p}jobs_total`, help: 'Jobs handled to the end by this process, redeliveries included.', registers });
    this.failed = new Counter({ name: `${p}job_failures_total`, help: 'Job attempts that failed (retried with backoff; the last attempt stays in the failed set).', registers });
    this.errors = new Counter({ name: `${p}comparator_errors_total`, help: 'Pairs this process counted as skipped with reason comparator_error.', registers });
    if (opts.defaultMetrics !== false) collectProcessMetrics(this.registry, p);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  jobHandled(): void {
    this.handled.inc();
  }

  jobFailed(): void {
    this.failed.inc();
  }

  comparatorError(): void {
    this.errors.inc();
  }
}
