/** The report API's contract: each route's request and response schemas (TypeBox), and the types of its JSON. */
export * from './common-schemas.js';
export * from './gate-schemas.js';
export * from './replay-schemas.js';
export * from './report-schemas.js';
export * from './trend-schemas.js';
