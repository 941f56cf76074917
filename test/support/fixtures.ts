/** Exchanges built for tests of the comparator and the store. */
import type { Exchange } from '../../libs/types/exchange.js';

export function body(value: unknown) {
  const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return { bytes, size: bytes.length, truncated: false };
}

export function makeExchange(over: Partial<Exchange> & { primaryJson?: unknown; shadowJson?: unknown } = {}): Exchange {
  const { primaryJson = { id: 1, name: 'a' }, shadowJson = primaryJson, ...rest } = over;
  return {
    id: `ex-${Math.random().toString(36).slice(2)}`,
    run: 'live',
    receivedAt: Date.now(),
    request: { method: 'GET', url: '/users/1', headers: { accept: 'application/json' }, body: body('') },
    primary: { status: 200, headers: { 'content-type': 'application/json' }, body: body(primaryJson), latencyMs: 5 },
    shadow: { status: 200, headers: { 'content-type': 'application/json' }, body: body(shadowJson), latencyMs: 6 },
    shadowError: null,
    skipReason: null,
    ...rest,
  };
}
