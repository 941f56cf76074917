/** The read side of the store: what the report API shows, from the rollups only. */
export * from './types.js';
export { summary } from './summary.js';
export { endpointStats, noiseFields } from './endpoint-stats.js';
export { endpointCapStatus } from './endpoint-cap.js';
export { listRuns } from './runs.js';
export { listDiscrepancies, encodeCursor, decodeCursor, type DiscrepancyCursor, type DiscrepancyListItem, type DiscrepancyQuery } from './discrepancy-list.js';
export { getDiscrepancy, type DiscrepancyDetail, type StoredResponseView } from './discrepancy-detail.js';
export { metricsFigures, runFigures, type EndpointFigures, type RunFigures } from './metrics-figures.js';
export { timeline, type Timeline, type TimelinePoint } from './timeline.js';
export { MAX_POINTS } from './timeline-points.js';
export { compareRuns, type RunComparison, type EndpointComparison, type FieldChange, type FieldStatus } from './compare-runs.js';
