export { openStore, type Store, type StoreDb } from './open-store.js';
export {
  recordExchange,
  recordFailedExchange,
  type FailedExchange,
  purgeDetails,
  trimCaptures,
  type CaptureRecord,
  recordDrops,
  type ExchangeOutcome,
  type DiscrepancyEvidence,
  type StoredBody,
  type StoredDifference,
  type StoredResponse,
} from './record-exchange.js';
export { DEFAULT_NOISE_THRESHOLDS, isNoise, type NoiseThresholds } from './noise.js';
export * from './read/index.js';
export { redactionKey } from './redaction-key.js';
export { claimReplayRun, freeRunName, LIVE_SOURCE, replaySourceName, RunExistsError, type ReplaySourceRef } from './run-claims.js';
export { MAX_STORED_DIFFERENCES } from './cap-differences.js';
export { OTHER_ENDPOINT, UNKNOWN_ENDPOINT, runEndpoints, runHasEndpoint } from './run-endpoints.js';
