/** The write side the store benchmark seeds through: the comparator's own code. */
export { recordBatch, purgeExchangeIds, EXCHANGE_ID_WINDOW_MS } from '../../libs/store/index.js';
