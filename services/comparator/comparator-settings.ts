/**
 * The comparator's settings from the configuration. A comparator thread gets the configuration's
 * plain data (ComparatorConfig) and the store's redaction key, and builds the same settings there.
 */
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import { Redaction } from '../../libs/compare/redaction.js';

/** What the comparator reads of the configuration: plain data, so it can be posted to a thread. */
export type ComparatorConfig = Pick<
  ShadowDiffConfig,
  'ignoreHeaders' | 'hostEcho' | 'comparison' | 'redactHeaders' | 'redactJsonPaths' | 'redactQueryParams' | 'captureMax' | 'maxEndpoints'
>;

export function comparatorConfigOf(config: ShadowDiffConfig): ComparatorConfig {
  const { ignoreHeaders, hostEcho, comparison, redactHeaders, redactJsonPaths, redactQueryParams, captureMax, maxEndpoints } = config;
  return { ignoreHeaders, hostEcho, comparison, redactHeaders, redactJsonPaths, redactQueryParams, captureMax, maxEndpoints };
}

/** Redacted values hash under the store's own key (redactionKey), so they stay comparable across processes. */
const redactionOf = (config: ComparatorConfig, key: Buffer | undefined) =>
  new Redaction({ headers: config.redactHeaders, jsonPaths: config.redactJsonPaths, queryParams: config.redactQueryParams, ...(key ? { key } : {}) });

/** Without a key (benchmarks of the compare step alone) redacted values carry no hash. */
export const comparatorSettings = (config: ComparatorConfig, key?: Buffer) => ({
  compare: { ignoreHeaders: config.ignoreHeaders, hostEcho: config.hostEcho },
  comparison: config.comparison,
  redaction: redactionOf(config, key),
  capture: config.captureMax > 0,
  maxEndpoints: config.maxEndpoints,
});
