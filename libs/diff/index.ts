/** The comparison library: pure functions, no I/O. */
export { compareExchange, DEFAULT_MAX_DECODED_BYTES, MAX_TEXT_VALUE_LENGTH } from './compare-exchange.js';
export type { CompareOptions } from './compare-exchange.js';
export { compareHeaders, DEFAULT_IGNORED_HEADERS, headerValue } from './compare-headers.js';
export type { CompareHeadersOptions } from './compare-headers.js';
export { contentKind, mediaType } from './content-kind.js';
export type { ContentKind } from './content-kind.js';
export { bodyText, charsetOf, contentCodings, decodeBody } from './decode-body.js';
export type { DecodeResult } from './decode-body.js';
export { endpointOf, templatePath } from './endpoint-template.js';
export { ComparisonBudgetError } from './errors.js';
export { diffJson } from './json-diff.js';
export { highestRisk, riskOf } from './risk.js';
