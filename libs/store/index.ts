export { openStore, isPostgresUrl, redactedUrl, type Store } from './open-store.js';
export type { Db, Dialect } from './db.js';
export { recordBatch, recordExchange } from './write/record-batch.js';
export { recordFailedExchange, recordDrops } from './write/record-failed.js';
export { purgeDetails, trimCaptures, purgeExchangeIds, purgeRollups, EXCHANGE_ID_WINDOW_MS } from './write/retention.js';
export type {
  CaptureRecord,
  DiscrepancyEvidence,
  ExchangeOutcome,
  FailedExchange,
  StoredBody,
  StoredDifference,
  StoredResponse,
} from './write/types.js';
export { DEFAULT_NOISE_THRESHOLDS, isNoise, type NoiseThresholds } from './noise.js';
export * from './read/index.js';
export { redactionKey } from './redaction-key.js';
export { claimReplayRun, freeRunName, LIVE_SOURCE, replaySourceName, type ReplaySourceRef } from './run-claims.js';
export { MAX_STORED_DIFFERENCES } from './cap-differences.js';
export { OTHER_ENDPOINT, UNKNOWN_ENDPOINT, runEndpoints, runHasEndpoint } from './run-endpoints.js';
