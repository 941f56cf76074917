/**
 * The rollout gate's verdict from a run's figures: `inconclusive` below the sample floor, `fail`
 * above the mismatch-rate limit (overall, or per endpoint when that limit is given), else `pass`.
 * Every verdict carries its reasons, in words a release engineer can act on.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface GateThresholds {
  maxMismatchRate: number;
  minSamples: number;
  /** Optional limit every endpoint must meet too. */
  maxEndpointMismatchRate?: number | undefined;
}

export interface GateFigures {
  compared: number;
  mismatched: number;
  mismatchRate: number;
}

export interface GateEndpointFigures extends GateFigures {
  endpoint: string;
}

export interface GateVerdict extends GateFigures {
  verdict: Verdict;
  pass: boolean;
  maxMismatchRate: number;
  minSamples: number;
  maxEndpointMismatchRate: number | null;
  /** Endpoints above maxEndpointMismatchRate. */
  failingEndpoints: GateEndpointFigures[];
  reasons: string[];
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;

export function evaluateGate(total: GateFigures, endpoints: readonly GateEndpointFigures[], t: GateThresholds): GateVerdict {
  const base = {
    compared: total.compared,
    mismatched: total.mismatched,
    mismatchRate: total.mismatchRate,
    maxMismatchRate: t.maxMismatchRate,
    minSamples: t.minSamples,
    maxEndpointMismatchRate: t.maxEndpointMismatchRate ?? null,
  };
  if (total.compared < t.minSamples) {
    return {
      ...base,
      verdict: 'inconclusive',
      pass: false,
      failingEndpoints: [],
      reasons: [`only ${total.compared} comparisons; at least ${t.minSamples} are needed for a verdict`],
    };
  }
  const reasons: string[] = [];
  if (total.mismatchRate > t.maxMismatchRate) {
    reasons.push(`mismatch rate ${pct(total.mismatchRate)} (${total.mismatched}/${total.compared}) is above the limit ${pct(t.maxMismatchRate)}`);
  }
  const limit = t.maxEndpointMismatchRate;
  const failingEndpoints = limit === undefined ? [] : endpoints.filter((e) => e.compared > 0 && e.mismatchRate > limit);
  for (const e of failingEndpoints) {
    reasons.push(`endpoint ${e.endpoint}: mismatch rate ${pct(e.mismatchRate)} (${e.mismatched}/${e.compared}) is above the endpoint limit ${pct(limit as number)}`);
  }
  if (reasons.length > 0) return { ...base, verdict: 'fail', pass: false, failingEndpoints, reasons };
  return {
    ...base,
    verdict: 'pass',
    pass: true,
    failingEndpoints: [],
    reasons: [`mismatch rate ${pct(total.mismatchRate)} (${total.mismatched}/${total.compared}) is within the limit ${pct(t.maxMismatchRate)}`],
  };
}
