/**
 * TEMPORARY (remove when the store-write branch is merged, and import recordBatch from
 * libs/store/index.js in bench/store.ts): the write path's signature from PLAN-13.md, so the store
 * benchmark typechecks before helper W's code lands.
 */
import * as storeLib from '../../libs/store/index.js';
import type { ExchangeOutcome, Store } from '../../libs/store/index.js';

interface PlannedWriteApi {
  recordBatch(store: Store, outcomes: readonly ExchangeOutcome[], now?: number): Promise<boolean[]>;
}

export const recordBatch: PlannedWriteApi['recordBatch'] = (store, outcomes, now) => {
  const fn = (storeLib as unknown as Partial<PlannedWriteApi>).recordBatch;
  if (!fn) throw new Error('libs/store has no recordBatch yet (the store-write branch is not merged)');
  return fn(store, outcomes, now);
};
