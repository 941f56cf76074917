/**
 * `shadow-diff gate`: asks a report API for the verdict and turns it into an exit code a CI step or
 * a rollout script can branch on: 0 pass, 1 fail, 2 inconclusive, 3 could not evaluate. Bad flags
 * and answers it cannot read are 3 too: 2 would read as "inconclusive, try again later".
 */
import { request } from 'undici';
import { checkInstant } from '../../libs/values/instant.js';
import { COUNT, parseNumberText, POSITIVE_COUNT, RATE, type NumberSpec } from '../../libs/values/numbers.js';
import { checkUrl, REPORT_URL } from '../../libs/values/url.js';
import { readGateAnswer, type GateQuestion } from './gate-answer.js';

export const GATE_EXIT = { pass: 0, fail: 1, inconclusive: 2, error: 3 } as const;

export interface GateArgs {
  report: string;
  token?: string | undefined;
  run?: string | undefined;
  maxMismatchRate: string;
  minSamples: string;
  endpoint?: string | undefined;
  maxEndpointMismatchRate?: string | undefined;
  baselineRun?: string | undefined;
  maxNewFields?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  json?: boolean | undefined;
}

function checkArgs(a: GateArgs): { question: GateQuestion; errors: string[] } {
  const errors: string[] = [];
  const report = checkUrl(a.report, REPORT_URL);
  if (!report.ok) errors.push(`--report: ${report.problem}`);
  const number = (flag: string, raw: string | undefined, spec: NumberSpec) => {
    if (raw === undefined) return undefined;
    const parsed = parseNumberText(raw, spec);
    if (parsed.ok) return parsed.value;
    errors.push(`${flag}: ${parsed.problem}`);
    return Number.NaN;
  };
  for (const [flag, raw] of [['--since', a.since], ['--until', a.until]] as const) {
    const at = raw === undefined ? undefined : checkInstant(raw, 'PT30M');
    if (at && !at.ok) errors.push(`${flag}: ${at.problem}`);
  }
  const question: GateQuestion = {
    run: a.run,
    endpoint: a.endpoint,
    maxMismatchRate: number('--max-mismatch-rate', a.maxMismatchRate, RATE) as number,
    minSamples: number('--min-samples', a.minSamples, POSITIVE_COUNT) as number,
    maxEndpointMismatchRate: number('--max-endpoint-mismatch-rate', a.maxEndpointMismatchRate, RATE),
    baseline: a.baselineRun,
    maxNewFields: number('--max-new-fields', a.maxNewFields, COUNT),
  };
  if (a.baselineRun === undefined && a.maxNewFields !== undefined) errors.push('--max-new-fields: needs --baseline-run, the run to count new fields against');
  if (a.baselineRun !== undefined && a.maxNewFields === undefined) errors.push('--baseline-run: needs --max-new-fields, the most new differing fields allowed');
  return { question, errors };
}

/** Status and parsed JSON body (undefined when not JSON); throws when the API cannot be reached. */
async function ask(url: URL, token: string | undefined): Promise<{ status: number; body: unknown }> {
  const res = await request(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.statusCode, body: undefined };
  }
}

/** Returns the exit code; prints the verdict (or the problem) as it goes. */
export async function runGate(a: GateArgs, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const { question, errors } = checkArgs(a);
  if (errors.length > 0) {
    for (const p of errors) err(`shadow-diff gate: ${p}`);
    return GATE_EXIT.error;
  }
  const url = new URL('/api/v1/gate', a.report);
  const params: Record<string, string | undefined> = {
    run: a.run,
    maxMismatchRate: a.maxMismatchRate,
    minSamples: a.minSamples,
    endpoint: a.endpoint,
    maxEndpointMismatchRate: a.maxEndpointMismatchRate,
    baseline: a.baselineRun,
    maxNewFields: a.maxNewFields,
    since: a.since,
    until: a.until,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  let answer: { status: number; body: unknown };
  try {
    answer = await ask(url, a.token);
  } catch (error) {
    err(`shadow-diff gate: could not evaluate: ${url.origin} is unreachable (${(error as Error).message})`);
    return GATE_EXIT.error;
  }
  if (answer.status !== 200) {
    const message = (answer.body as { message?: unknown } | undefined)?.message;
    err(`shadow-diff gate: could not evaluate: the report API answered ${answer.status}: ${typeof message === 'string' ? message : `HTTP ${answer.status}`}`);
    return GATE_EXIT.error;
  }
  const read = readGateAnswer(answer.body, question);
  if (!read.ok) {
    err(`shadow-diff gate: could not evaluate: ${read.problem}`);
    return GATE_EXIT.error;
  }
  const data = read.data;
  if (a.json) {
    out(JSON.stringify(data));
  } else {
    const scope = data.endpoint ? `run ${data.run}, endpoint ${data.endpoint}` : `run ${data.run}`;
    out(`${data.verdict.toUpperCase()}: ${scope}`);
    out(
      `  compared ${data.compared}, mismatched ${data.mismatched}, mismatch rate ${(data.mismatchRate * 100).toFixed(2)}% ` +
        `(limit ${(data.maxMismatchRate * 100).toFixed(2)}%, at least ${data.minSamples} samples)`,
    );
    if (data.baseline) out(`  new differing fields against ${data.baseline}: ${data.newFields?.length ?? 0} (limit ${String(data.maxNewFields)})`);
    for (const r of data.reasons) out(`  - ${r}`);
  }
  return GATE_EXIT[data.verdict];
}
