/** The shapes the report reads (README's route table): every figure is derived from the rollups. */
import type { NoiseThresholds } from '../noise.js';

/** The JSON the read functions return is the report API's: its types follow from the route schemas. */
export type {
  ByRisk,
  EndpointCapStatus,
  EndpointStats,
  FieldStats,
  LatencyPercentiles,
  RunListItem,
  RunSummary,
  SkippedByReason,
} from '../../api/report-schemas.js';

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

export const rate = (mismatched: number, compared: number): number => (compared === 0 ? 0 : mismatched / compared);
