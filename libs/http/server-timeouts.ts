/**
 * Slowloris: node's HTTP server answers 408 and closes a connection whose request headers are not
 * in within `headersTimeout`, and one whose whole request is not in within `requestTimeout` (0: no
 * limit; the ingress times bodies itself, see services/ingress/request-guard.ts). Node looks for
 * such connections every `connectionsCheckingInterval` (30 s by default, which would let a 10 s
 * limit run to 40 s): here a quarter of the headers limit, between 100 ms and 5 s.
 */
import type { ServerOptions } from 'node:http';

/** Node's timers hold at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function serverTimeouts(headersTimeoutMs: number, requestTimeoutMs = 0): ServerOptions {
  const requestTimeout = requestTimeoutMs > 0 ? Math.min(MAX_TIMER_MS, Math.max(requestTimeoutMs, headersTimeoutMs)) : 0;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout,
    connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
  };
}
