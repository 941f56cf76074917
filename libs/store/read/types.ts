/** The shapes the report reads (README's route table): every figure is derived from the rollups. */
import type { NoiseThresholds } from '../noise.js';

/** Skipped exchanges by reason, e.g. `{ comparator_error: 2 }`. */
export type SkippedByReason = Record<string, number>;

/** The per-run endpoint cap (--max-endpoints) and whether templates were folded into OTHER. */
export interface EndpointCapStatus {
  max: number;
  reached: boolean;
}

export interface RunSummary {
  run: string;
  compared: number;
  matched: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  shadowErrors: number;
  dropped: number;
  skippedByReason: SkippedByReason;
  endpointCap: EndpointCapStatus;
}

export interface FieldStats {
  /** Aggregated path, e.g. `$.items[*].price`. */
  path: string;
  /** Exchanges that count as mismatched because of this field (0 for a noise field). */
  mismatches: number;
  /** Exchanges whose shadow differed here, noise included. */
  shadowDiffs: number;
  /** Exchanges whose secondary differed here (noise measured by A/A). */
  secondaryDiffs: number;
  noise: boolean;
}

export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ByRisk {
  high: number;
  medium: number;
  low: number;
}

export interface EndpointStats {
  endpoint: string;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  skippedByReason: SkippedByReason;
  shadowErrors: number;
  /** Exchanges compared against a secondary too. */
  comparedWithSecondary: number;
  byRisk: ByRisk;
  /** Milliseconds to the last byte over the compared exchanges: the upper bound of the histogram bin (latency-bins.ts). */
  latency: { primary: LatencyPercentiles; shadow: LatencyPercentiles };
  fields: FieldStats[];
  /** Every rule that applied to the endpoint in the window; `hits: 0` is a dead rule. */
  rules: { rule: string; evaluated: number; hits: number }[];
}

/** A time window on when the ingress received the exchanges (epoch ms); it selects whole minute buckets (buckets.ts). */
export interface TimeWindow {
  since?: number | undefined;
  until?: number | undefined;
}

export interface ReportOptions {
  noise?: NoiseThresholds | undefined;
  window?: TimeWindow | undefined;
  /** The comparators' --max-endpoints, for the cap status (the option table's default when absent). */
  maxEndpoints?: number | undefined;
}

export interface RunListItem {
  run: string;
  kind: 'live' | 'replay';
  compared: number;
  mismatched: number;
  mismatchRate: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export const rate = (mismatched: number, compared: number): number => (compared === 0 ? 0 : mismatched / compared);
