/**
 * What the gate CLI accepts from the report API: the gate response schema the API serializes with
 * (declared once, in libs/api/gate-schemas.ts), plus the facts a verdict must agree with. A
 * proxy's login page, another version's shape or a server that ignored the thresholds is "could
 * not evaluate", never a pass (invariant 6).
 */
import { Ajv } from 'ajv';
import { gateResponse, type GateData, type GateQuery } from '../../libs/api/index.js';

export type { GateData };

/** The question as the CLI asked it, parsed: the gate's parameters but the window. */
export type GateQuestion = Omit<GateQuery, 'since' | 'until'>;

export type GateAnswer = { ok: true; data: GateData } | { ok: false; problem: string };

const ajv = new Ajv({ allowUnionTypes: true });
const validate = ajv.compile<{ data: GateData }>(gateResponse);

function disagreement(d: GateData, asked: GateQuestion): string | null {
  if (d.pass !== (d.verdict === 'pass')) return `pass is ${d.pass} but the verdict is '${d.verdict}'`;
  if (d.compared < 0 || d.mismatched < 0 || d.mismatched > d.compared) return `the counts make no sense (compared ${d.compared}, mismatched ${d.mismatched})`;
  if (!(d.mismatchRate >= 0 && d.mismatchRate <= 1)) return `the mismatch rate ${d.mismatchRate} is not between 0 and 1`;
  if (d.maxMismatchRate !== asked.maxMismatchRate) return `it judged against maxMismatchRate ${d.maxMismatchRate}, not the ${asked.maxMismatchRate} asked`;
  if (d.minSamples !== asked.minSamples) return `it judged against minSamples ${d.minSamples}, not the ${asked.minSamples} asked`;
  if (asked.maxEndpointMismatchRate !== undefined && d.maxEndpointMismatchRate !== asked.maxEndpointMismatchRate) {
    return `it judged against maxEndpointMismatchRate ${String(d.maxEndpointMismatchRate)}, not the ${asked.maxEndpointMismatchRate} asked`;
  }
  // A server that does not know maxNewFields would judge without it: that is no verdict on new fields.
  if (asked.maxNewFields !== undefined && d.maxNewFields !== asked.maxNewFields) {
    return `it judged against maxNewFields ${String(d.maxNewFields)}, not the ${asked.maxNewFields} asked`;
  }
  if (asked.baseline !== undefined && d.baseline !== asked.baseline) return `it counted new fields against baseline '${String(d.baseline)}', not '${asked.baseline}'`;
  if (asked.maxNewFields !== undefined && d.verdict === 'pass' && (d.newFields?.length ?? Infinity) > asked.maxNewFields) {
    return `it passed with ${String(d.newFields?.length)} new fields, above the ${asked.maxNewFields} allowed`;
  }
  if (asked.run !== undefined && d.run !== asked.run) return `it answered for run '${d.run}', not '${asked.run}'`;
  if (asked.endpoint !== undefined && d.endpoint !== asked.endpoint) return `it answered for endpoint '${String(d.endpoint)}', not '${asked.endpoint}'`;
  return null;
}

/** `body` is the parsed JSON answer (undefined when it was not JSON). */
export function readGateAnswer(body: unknown, asked: GateQuestion): GateAnswer {
  if (body === undefined) return { ok: false, problem: 'the answer is not JSON' };
  if (!validate(body)) {
    return { ok: false, problem: `the answer is not a gate verdict: ${ajv.errorsText(validate.errors, { dataVar: 'answer' })}` };
  }
  const problem = disagreement(body.data, asked);
  return problem === null ? { ok: true, data: body.data } : { ok: false, problem: `the answer does not hold together: ${problem}` };
}
