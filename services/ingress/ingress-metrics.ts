/**
 * The ingress's own metrics, in a registry of its own (never prom-client's global one, so two
 * ingresses in one process do not clash). The names are an interface: dashboards and alerts
 * depend on them. Everything the proxy calls per request is a plain increment or observation on a
 * child created once; the gauges are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../libs/metrics/process-metrics.js';
import { DROP_REASONS, type DropReason } from '../../libs/exchange/exchange.js';

export const INGRESS_METRICS_PREFIX = 'shadowdiff_ingress_';

/** Seconds: from a fast in-memory answer to the shadow's default timeout and beyond. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ShadowLatencyOutcome = 'response' | 'error';

/** Values read when /metrics is scraped. */
export interface IngressGaugeSources {
  shadowInFlight(): number;
  queueAvailable(): boolean;
}

interface Inc {
  inc(value?: number): void;
}
interface Observe {
  observe(value: number): void;
}

export class IngressMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly mirroredTotal: Counter;
  private readonly primaryErrors: Counter;
  private readonly primaryLatency: Histogram;
  private readonly droppedBy: Record<DropReason, Inc>;
  private readonly shadowLatencyBy: Record<ShadowLatencyOutcome, Observe>;

  constructor(sources: IngressGaugeSources, opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const p = INGRESS_METRICS_PREFIX;
    this.requests = new Counter({ name: `${p}requests_total`, help: 'Requests proxied to the primary.', registers });
    this.mirroredTotal = new Counter({ name: `${p}mirrored_total`, help: 'Requests mirrored to the shadow.', registers });
    const dropped = new Counter({ name: `${p}dropped_total`, help: 'Mirrored pairs dropped before the queue, by reason.', labelNames: ['reason'], registers });
    this.primaryErrors = new Counter({ name: `${p}primary_errors_total`, help: 'Primary failures answered 502 or 504.', registers });
    this.primaryLatency = new Histogram({
      name: `${p}primary_latency_seconds`,
      help: "Time to the primary's last byte (or its failure), for every proxied request.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const shadowLatency = new Histogram({
      name: `${p}shadow_latency_seconds`,
      help: "The shadow's time to its whole response (outcome=response) or to its failure (outcome=error), for mirrored requests.",
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: `${p}shadow_in_flight`,
      help: 'Shadow requests in flight now.',
      registers,
      collect() {
        this.set(sources.shadowInFlight());
      },
    });
    new Gauge({
      name: `${p}queue_available`,
      help: '1 when the queue is reachable, else 0.',
      registers,
      // With --ingress-workers: 1 only when every worker reaches it.
      aggregator: 'min',
      collect() {
        this.set(sources.queueAvailable() ? 1 : 0);
      },
    });

    // Children created once, every series present from the start (at 0).
    this.droppedBy = Object.fromEntries(
      DROP_REASONS.map((reason) => {
        const child = dropped.labels(reason);
        child.inc(0);
        return [reason, child];
      }),
    ) as Record<DropReason, Inc>;
    shadowLatency.zero({ outcome: 'response' });
    shadowLatency.zero({ outcome: 'error' });
    this.shadowLatencyBy = { response: shadowLatency.labels('response'), error: shadowLatency.labels('error') };

    if (opts.defaultMetrics !== false) {
      collectProcessMetrics(this.registry, p);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  request(): void {
    this.requests.inc();
  }

  mirrored(): void {
    this.mirroredTotal.inc();
  }

  dropped(reason: DropReason): void {
    this.droppedBy[reason].inc();
  }

  primaryError(): void {
    this.primaryErrors.inc();
  }

  primaryLatencyMs(ms: number): void {
    this.primaryLatency.observe(ms / 1000);
  }

  shadowLatencyMs(outcome: ShadowLatencyOutcome, ms: number): void {
    this.shadowLatencyBy[outcome].observe(ms / 1000);
  }
}
