export { exchanges } from './exchanges.js';
export { discrepancies } from './discrepancies.js';
export { differences } from './differences.js';
export { drops } from './drops.js';
export { ruleHits } from './rule-hits.js';
export { runs } from './runs.js';
export { captures } from './captures.js';
export { storeMeta } from './store-meta.js';
