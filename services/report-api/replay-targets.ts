/**
 * Where replays started over HTTP may send traffic, and how many may run at once. The report API
 * must not become a proxy into the network it sits in (cloud metadata, private ranges, loopback):
 * a target's normalized origin must equal one listed in --replay-allow, which lists none by default.
 * Redirects are not followed by the replay client (undici's Pool), so a target cannot bounce the
 * traffic elsewhere.
 */
import { originOf } from '../../libs/http/origin.js';
import { ReplayTargetNotAllowedError, TooManyReplaysError } from '../../libs/errors.js';
import { badParameter } from './http-errors.js';

export interface ReplayTargetPolicy {
  /** Normalized origins (libs/http/origin.ts), as --replay-allow is parsed. */
  allow: readonly string[];
  /** Replays running at once at most. */
  maxConcurrent: number;
}

/** Throws 400 for a URL that is not http(s) or carries credentials, 403 for an origin not listed. */
export function checkReplayTarget(policy: ReplayTargetPolicy, parameter: string, raw: string): void {
  const r = originOf(raw);
  if (!r.ok) throw badParameter(parameter, r.problem);
  if (!policy.allow.includes(r.origin)) {
    throw new ReplayTargetNotAllowedError(
      `${parameter} origin ${r.origin} is not allowed: replays through the API go only to the origins in --replay-allow (SHADOW_DIFF_REPLAY_ALLOW)`,
      { parameter },
    );
  }
}

/** Counts replays in progress; take() throws 429 past the bound, the returned function gives the slot back. */
export class ReplaySlots {
  private running = 0;

  constructor(private readonly max: number) {}

  take(): () => void {
    if (this.running >= this.max) {
      throw new TooManyReplaysError(`${this.max} replay(s) already running (--max-replays); start this one when one has finished`);
    }
    this.running++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.running--;
    };
  }
}
