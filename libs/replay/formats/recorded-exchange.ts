/**
 * What every replay input format (HAR, GoReplay, …) parses into: one recorded request with the
 * response it got at the time, which becomes the baseline of the replay.
 */
import type { CapturedRequest, CapturedResponse, RecordedContent } from '../../exchange/exchange.js';

export interface RecordedExchange {
  /** Position in the input for error messages and ordering: 1-based entry index (HAR) or record index (GoReplay). */
  position: number;
  /** Epoch milliseconds when the request was sent, when the input says so. */
  startedAt: number | null;
  /**
   * Method upper-case, url = path + query only (origin stripped), headers lower-cased
   * (multi-valued as string[]), body bytes of its own.
   */
  request: CapturedRequest;
  /** The recorded response, used as the baseline; null when the input has none. latencyMs is 0 when unknown. */
  response: CapturedResponse | null;
  /** Where the request was originally sent (scheme://host[:port]) when the input says so. */
  origin: string | null;
  /** Set when the recorded response body is a recording's decoded content (HAR), not the bytes received. */
  content?: RecordedContent;
}

/** A well-formed record that is not replayed: a websocket, or an origin other than the one replayed. */
export interface LeftOut {
  position: number;
  reason: 'websocket' | 'other_origin';
  /** The origin of the record, when it has one. */
  origin?: string;
}

/** A malformed record: reported, skipped, never thrown. */
export interface FormatProblem {
  position: number;
  message: string;
}

export interface ParseResult {
  exchanges: RecordedExchange[];
  problems: FormatProblem[];
  /** Records left out on purpose, in input order (HAR). */
  leftOut?: LeftOut[];
}
