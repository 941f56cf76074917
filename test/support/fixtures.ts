/** Exchanges built for tests of the comparator and the store. */
import { randomUUID } from 'node:crypto';
import type { ExchangeOutcome, StoredDifference } from '../../libs/store/index.js';
import type { Exchange } from '../../libs/exchange/exchange.js';

type Evidence = NonNullable<ExchangeOutcome['evidence']>;

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

/** A shadow difference as the store keeps it: one counting value change. */
export const storedDifference = (path: string, primary: unknown, shadow: unknown): StoredDifference => ({
  path,
  field: path,
  kind: 'value_changed',
  risk: 'high',
  primary,
  shadow,
  side: 'shadow',
  cancelled: false,
});

/** A stored evidence body from its text. */
export const storedText = (text: string) => ({ body: text, bodyEncoding: 'utf8' as const, bodySize: Buffer.byteLength(text), bodyTruncated: false });

/** A high-risk mismatch as the comparator hands it to the store, for tests that seed a store directly. */
export function mismatchOutcome(o: { endpoint: string; url: string; differences: StoredDifference[]; evidence: Omit<Evidence, 'risk' | 'secondary'> }): ExchangeOutcome {
  const now = Date.now();
  return {
    id: randomUUID(),
    run: 'live',
    runKind: 'live',
    endpoint: o.endpoint,
    method: 'GET',
    url: o.url,
    outcome: 'mismatch',
    skipReason: null,
    shadowFailed: false,
    primaryStatus: 200,
    shadowStatus: 200,
    primaryLatencyMs: 3,
    shadowLatencyMs: 4,
    risk: 'high',
    hasSecondary: false,
    secondaryStatus: null,
    receivedAt: now,
    comparedAt: now,
    differences: o.differences,
    rules: { evaluated: [], hits: [] },
    evidence: { ...o.evidence, secondary: null, risk: 'high' },
  };
}
