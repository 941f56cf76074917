/**
 * The exchange from what each side of a pair came to, with the reason it cannot be compared if
 * there is one: the skip-reason policy of both ingress modes, in one pure function.
 */
import { EMPTY_BODY } from '../http/body.js';
import type { CapturedRequest, CapturedResponse, Exchange, SentHosts, SkipReason } from '../exchange/exchange.js';
import type { ShadowOutcome } from './shadow-client.js';

/** How the client's request ended: whole, or why it did not arrive whole. */
export type RequestEnd = 'whole' | 'request_timeout' | 'client_aborted';

export interface PairParts {
  id: string;
  run: string;
  receivedAt: number;
  /** The request as the primary got it (headers before redaction: the recorder redacts). */
  request: CapturedRequest;
  requestEnd: RequestEnd;
  /** A reason decided before anything was sent (mirror-target's unsafe_method). */
  refused?: SkipReason | null;
  /** The primary's response; null when it failed or was never asked. */
  primary: CapturedResponse | null;
  /** Why the primary's side of the pair failed (primary_error, or the client leaving mid-response). */
  primaryFailure: SkipReason | null;
  /** Time to the primary's failure, for the placeholder response when there is none. */
  primaryLatencyMs: number;
  /** Null when the shadow was never asked (the pair was skipped before). */
  shadow: ShadowOutcome | null;
  /** Null when no secondary was asked (none configured, or no slot for it). */
  secondary: ShadowOutcome | null;
  hosts: SentHosts | undefined;
}

/** The first reason, in this order, that keeps the pair from being compared; null when it can be. */
export function skipReasonOf(parts: PairParts): SkipReason | null {
  if (parts.refused) return parts.refused;
  if (parts.primaryFailure) return parts.primaryFailure;
  if (parts.requestEnd !== 'whole') return parts.requestEnd;
  if (parts.request.body.truncated) return 'request_body_too_large';
  if (parts.primary?.body.truncated) return 'primary_body_too_large';
  if (parts.shadow?.response?.body.truncated) return 'shadow_body_too_large';
  return null;
}

export function assembleExchange(parts: PairParts): Exchange {
  const secondary = parts.secondary;
  // A secondary body over the limit cannot say what is noise: compare without it.
  const usableSecondary = secondary?.response?.body.truncated ? null : secondary;
  return {
    id: parts.id,
    run: parts.run,
    receivedAt: parts.receivedAt,
    request: parts.request,
    primary: parts.primary ?? { status: 0, headers: {}, body: EMPTY_BODY, latencyMs: parts.primaryLatencyMs },
    shadow: parts.shadow?.response ?? null,
    shadowError: parts.shadow?.error ?? null,
    ...(secondary ? { secondary: usableSecondary?.response ?? null, secondaryError: usableSecondary?.error ?? null } : {}),
    hosts: parts.hosts,
    skipReason: skipReasonOf(parts),
  };
}
