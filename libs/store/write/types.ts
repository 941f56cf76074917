/**
 * What the comparator hands the store about one exchange (its outcome), and the evidence kept for a
 * discrepancy. The write side (record-batch.ts) turns a batch of these into rollups and evidence.
 */
import type { Difference, Risk } from '../../compare/difference.js';

export interface StoredBody {
  /** Text, or base64 when bodyEncoding is 'base64'. */
  body: string | null;
  bodyEncoding: 'utf8' | 'base64';
  bodySize: number;
  bodyTruncated: boolean;
}

type Headers = Record<string, string | string[]>;

export interface StoredResponse extends StoredBody {
  status: number | null;
  headers: Headers;
  latencyMs: number | null;
  error: string | null;
}

export interface DiscrepancyEvidence {
  request: { method: string; url: string; headers: Headers } & StoredBody;
  primary: { status: number; headers: Headers; latencyMs: number } & StoredBody;
  shadow: StoredResponse;
  /** The secondary's response when there was one. */
  secondary: StoredResponse | null;
  risk: Risk;
}

export interface StoredDifference extends Difference {
  side: 'shadow' | 'secondary';
  /** A shadow difference the secondary showed too on this request: noise, not a mismatch. */
  cancelled: boolean;
}

export interface ExchangeOutcome {
  id: string;
  run: string;
  runKind: 'live' | 'replay';
  endpoint: string;
  method: string;
  url: string;
  outcome: 'match' | 'mismatch' | 'skipped';
  skipReason: string | null;
  shadowFailed: boolean;
  primaryStatus: number;
  shadowStatus: number | null;
  primaryLatencyMs: number;
  shadowLatencyMs: number | null;
  risk: Risk | null;
  hasSecondary: boolean;
  secondaryStatus: number | null;
  receivedAt: number;
  comparedAt: number;
  differences: StoredDifference[];
  /** Rules that applied to this comparison, and those that changed its result. */
  rules: { evaluated: readonly string[]; hits: readonly string[] };
  /** Present for a mismatch. */
  evidence?: DiscrepancyEvidence;
  /** Present when the exchange is kept for replay (already redacted). */
  capture?: CaptureRecord;
}

export interface CaptureRecord {
  request: { method: string; url: string; headers: Headers; body: string; bodySize: number };
  /** Null when the primary's body was not kept whole: usable only against a live baseline. */
  response: { status: number; headers: Headers; body: string; latencyMs: number } | null;
}

/** What is known of a pair the comparator could not handle: enough to count it. */
export interface FailedExchange {
  id: string;
  run: string;
  runKind: 'live' | 'replay';
  endpoint: string;
  method: string;
  url: string;
  primaryStatus: number;
  receivedAt: number;
}
