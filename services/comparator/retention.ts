/**
 * Retention, at start and every minute: old discrepancy details (--retention), captures past their
 * bound, exchange ids past the idempotence window, and rollups past --rollup-retention.
 */
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import type { Logger } from '../../libs/logger.js';
import { EXCHANGE_ID_WINDOW_MS, purgeDetails, purgeExchangeIds, purgeRollups, trimCaptures, type Store } from '../../libs/store/index.js';

/** What retention reads of the configuration: plain data, so a comparator thread can run it. */
export type RetentionConfig = Pick<ShadowDiffConfig, 'retention' | 'captureMax' | 'captureMaxAge' | 'rollupRetention'>;

export function retentionConfigOf(config: ShadowDiffConfig): RetentionConfig {
  const { retention, captureMax, captureMaxAge, rollupRetention } = config;
  return { retention, captureMax, captureMaxAge, rollupRetention };
}

export function startRetention(config: RetentionConfig, store: Store, logger: Logger): () => void {
  let running: Promise<void> | null = null;
  const purge = async () => {
    const now = Date.now();
    try {
      if (config.retention !== undefined) {
        const { discrepancies } = await purgeDetails(store, now - config.retention);
        if (discrepancies > 0) logger.info({ discrepancies }, 'retention: purged discrepancy details');
      }
      const captures = await trimCaptures(store, config.captureMax, config.captureMaxAge, now);
      if (captures > 0) logger.debug({ captures }, 'retention: removed the oldest captures');
      await purgeExchangeIds(store, now - EXCHANGE_ID_WINDOW_MS);
      if (config.rollupRetention !== undefined) {
        const rows = await purgeRollups(store, now - config.rollupRetention);
        if (rows > 0) logger.info({ rows }, 'retention: purged old rollups');
      }
    } catch (error) {
      logger.warn({ err: error }, 'retention: purge failed; will try again');
    }
  };
  // One purge at a time: a slow one is not stacked by the next tick.
  const tick = () => {
    running ??= purge().finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
