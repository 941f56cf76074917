/**
 * TEMPORARY (when the store-write branch is merged, replace the body of this file with
 * `export { recordBatch, purgeExchangeIds, EXCHANGE_ID_WINDOW_MS } from '../../libs/store/index.js';`):
 * the write path's signatures from PLAN-13.md, so the store benchmark typechecks before helper W's
 * code lands.
 */
import * as storeLib from '../../libs/store/index.js';
import type { ExchangeOutcome, Store } from '../../libs/store/index.js';

interface PlannedWriteApi {
  recordBatch(store: Store, outcomes: readonly ExchangeOutcome[], now?: number): Promise<boolean[]>;
  purgeExchangeIds(store: Store, before: number): Promise<number>;
}

function planned<K extends keyof PlannedWriteApi>(name: K): PlannedWriteApi[K] {
  const fn = (storeLib as unknown as Partial<PlannedWriteApi>)[name];
  if (!fn) throw new Error(`libs/store has no ${name} yet (the store-write branch is not merged)`);
  return fn;
}

export const recordBatch: PlannedWriteApi['recordBatch'] = (store, outcomes, now) => planned('recordBatch')(store, outcomes, now);
export const purgeExchangeIds: PlannedWriteApi['purgeExchangeIds'] = (store, before) => planned('purgeExchangeIds')(store, before);
/** The idempotence window: ids are kept a day (libs/store/write/retention.ts). */
export const EXCHANGE_ID_WINDOW_MS = 24 * 60 * 60 * 1000;
