/**
 * The exchange: one mirrored request with the responses it got.
 * This is the shape both queue implementations carry. In process, bodies are bytes (moved, not
 * copied, to a comparator thread); only the BullMQ boundary turns them into base64 (wire-payload.ts).
 */

// Headers and bodies are HTTP's (libs/http); an exchange is made of them.
import type { CapturedBody } from '../http/body.js';
import type { HeaderMap } from '../http/headers.js';

export interface CapturedRequest {
  method: string;
  /** Path and query as the client sent it, e.g. `/reviews/7?lang=en`. */
  url: string;
  headers: HeaderMap;
  body: CapturedBody;
}

export interface CapturedResponse {
  status: number;
  headers: HeaderMap;
  body: CapturedBody;
  /** Time to the last byte of the body, in milliseconds. */
  latencyMs: number;
}

/** Why the shadow produced no usable response. Stable strings: they reach the store and the API. */
export const SHADOW_ERROR_CODES = ['timeout', 'connection_refused', 'connection_reset', 'invalid_response', 'error'] as const;
export type ShadowErrorCode = (typeof SHADOW_ERROR_CODES)[number];

export interface ShadowError {
  code: ShadowErrorCode;
  message: string;
  /** Milliseconds from sending to the failure. */
  latencyMs: number;
}

/** Why an exchange was recorded but not compared. Stable strings. */
export const SKIP_REASONS = [
  'request_body_too_large',
  'primary_body_too_large',
  'shadow_body_too_large',
  'primary_error',
  'client_aborted',
  'request_timeout',
  'comparison_budget_exceeded',
  'unsafe_method',
  'no_recorded_response',
  /** A live exchange for a replay run, or a replay exchange for a live run (run-claims.ts). */
  'run_conflict',
  'comparator_error',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why a mirrored exchange never reached the queue. Stable strings. */
/** primary_in_flight_limit: mirror-target mode only, where the ingress asks the primary itself. */
export const DROP_REASONS = ['shadow_in_flight_limit', 'primary_in_flight_limit', 'queue_unavailable', 'queue_backlog_limit'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The Host each side was sent, where they differ (the shadow's suffix, a replay's candidate address). */
export interface SentHosts {
  /** The Host the primary (or the recorded baseline) was sent. */
  primary?: string;
  /** The Host the shadow (or the replay's candidate) was sent. */
  shadow?: string;
}

/** How a recorded baseline holds the primary's body when it is not the bytes received (a HAR's content). */
export interface RecordedContent {
  /** The Content-Encoding the recording saw; the body is stored with it undone and the header dropped. */
  contentEncoding: string | null;
  /** False when the recording kept no content (HAR `text` absent): bodies are not compared, status and headers are. */
  bodyRecorded: boolean;
}

export const RUN_KINDS = ['live', 'replay'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface Exchange {
  /** Unique id; it is also the job id and the store's key, so a redelivery never counts twice. */
  id: string;
  run: string;
  /** What produced the run: live mirroring (the default when absent) or a replay. */
  runKind?: RunKind;
  /** Epoch milliseconds when the ingress received the request. */
  receivedAt: number;
  request: CapturedRequest;
  primary: CapturedResponse;
  /** Null when the shadow failed: see shadowError. */
  shadow: CapturedResponse | null;
  shadowError: ShadowError | null;
  /**
   * With --secondary: the response of a second copy of the primary's version to the same request
   * (or its failure). What differs between primary and secondary is noise. Absent without a secondary.
   */
  secondary?: CapturedResponse | null;
  secondaryError?: ShadowError | null;
  /** What each side was sent as Host, to undo the host echo in the comparison. Absent in old payloads. */
  hosts?: SentHosts;
  /** Set when the primary is a recording's decoded content (HAR replay). Absent: the bytes as received. */
  primaryContent?: RecordedContent;
  /** Set by the ingress when the pair cannot be compared (a body over the capture limit, …). */
  skipReason: SkipReason | null;
}
