export { openStore, type Store, type StoreDb } from './open-store.js';
export { recordExchange, recordDrops, type ExchangeOutcome, type DiscrepancyEvidence, type StoredBody } from './record-exchange.js';
export * from './report-queries.js';
