/**
 * The rollout gate's verdict from a run's figures: `inconclusive` below the sample floor (in the
 * run, or in the baseline run when new fields are counted against one), `fail` above the
 * mismatch-rate limit (overall, or per endpoint when that limit is given) or with more new
 * differing fields than maxNewFields against the baseline, else `pass`. Every verdict carries its
 * reasons, in words a release engineer can act on.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface GateThresholds {
  maxMismatchRate: number;
  minSamples: number;
  /** Optional limit every endpoint must meet too. */
  maxEndpointMismatchRate?: number | undefined;
  /** With a baseline: the most new differing fields the run may have against it. */
  maxNewFields?: number | undefined;
}

/** A field that differs in the run and never in the baseline run. */
export interface NewField {
  endpoint: string;
  path: string;
  headMismatches: number;
}

export interface GateBaseline {
  run: string;
  /** Comparisons in the baseline run, over the same window and endpoint. */
  compared: number;
  newFields: NewField[];
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
  baseline: string | null;
  baselineCompared: number | null;
  maxNewFields: number | null;
  newFields: NewField[];
  reasons: string[];
}

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;

const fieldList = (fields: readonly NewField[]) =>
  fields
    .slice(0, 5)
    .map((f) => `${f.endpoint} ${f.path}`)
    .join(', ') + (fields.length > 5 ? `, and ${fields.length - 5} more` : '');

function tooFew(total: GateFigures, t: GateThresholds, baseline: GateBaseline | undefined): string[] {
  const reasons: string[] = [];
  if (total.compared < t.minSamples) reasons.push(`only ${total.compared} comparisons; at least ${t.minSamples} are needed for a verdict`);
  if (baseline && baseline.compared < t.minSamples) {
    reasons.push(`only ${baseline.compared} comparisons in the baseline run ${baseline.run}; at least ${t.minSamples} are needed to count new fields against it`);
  }
  return reasons;
}

/** The reason the new fields fail the gate, or null when they are within the limit (or not counted). */
function newFieldsProblem(t: GateThresholds, baseline: GateBaseline | undefined): string | null {
  if (!baseline || t.maxNewFields === undefined || baseline.newFields.length <= t.maxNewFields) return null;
  return `${baseline.newFields.length} new differing fields against the baseline run ${baseline.run} (limit ${t.maxNewFields}): ${fieldList(baseline.newFields)}`;
}

export function evaluateGate(total: GateFigures, endpoints: readonly GateEndpointFigures[], t: GateThresholds, baseline?: GateBaseline): GateVerdict {
  const base = {
    compared: total.compared,
    mismatched: total.mismatched,
    mismatchRate: total.mismatchRate,
    maxMismatchRate: t.maxMismatchRate,
    minSamples: t.minSamples,
    maxEndpointMismatchRate: t.maxEndpointMismatchRate ?? null,
    baseline: baseline?.run ?? null,
    baselineCompared: baseline?.compared ?? null,
    maxNewFields: t.maxNewFields ?? null,
    newFields: baseline?.newFields ?? [],
  };
  const few = tooFew(total, t, baseline);
  if (few.length > 0) return { ...base, verdict: 'inconclusive', pass: false, failingEndpoints: [], reasons: few };
  const reasons: string[] = [];
  if (total.mismatchRate > t.maxMismatchRate) {
    reasons.push(`mismatch rate ${pct(total.mismatchRate)} (${total.mismatched}/${total.compared}) is above the limit ${pct(t.maxMismatchRate)}`);
  }
  const limit = t.maxEndpointMismatchRate;
  const failingEndpoints = limit === undefined ? [] : endpoints.filter((e) => e.compared > 0 && e.mismatchRate > limit);
  for (const e of failingEndpoints) {
    reasons.push(`endpoint ${e.endpoint}: mismatch rate ${pct(e.mismatchRate)} (${e.mismatched}/${e.compared}) is above the endpoint limit ${pct(limit as number)}`);
  }
  const novel = newFieldsProblem(t, baseline);
  if (novel) reasons.push(novel);
  if (reasons.length > 0) return { ...base, verdict: 'fail', pass: false, failingEndpoints, reasons };
  const passed = [`mismatch rate ${pct(total.mismatchRate)} (${total.mismatched}/${total.compared}) is within the limit ${pct(t.maxMismatchRate)}`];
  if (baseline && t.maxNewFields !== undefined) {
    passed.push(`${baseline.newFields.length} new differing fields against the baseline run ${baseline.run}, within the limit ${t.maxNewFields}`);
  }
  return { ...base, verdict: 'pass', pass: true, failingEndpoints: [], reasons: passed };
}
