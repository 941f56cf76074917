/**
 * `shadow-diff gate`: asks a report API for the verdict and turns it into an exit code a CI step or
 * a rollout script can branch on: 0 pass, 1 fail, 2 inconclusive, 3 could not evaluate.
 */
import { request } from 'undici';

export const GATE_EXIT = { pass: 0, fail: 1, inconclusive: 2, error: 3 } as const;

export interface GateArgs {
  report: string;
  token?: string | undefined;
  run?: string | undefined;
  maxMismatchRate: string;
  minSamples: string;
  endpoint?: string | undefined;
  maxEndpointMismatchRate?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  json?: boolean | undefined;
}

interface GateData {
  verdict: 'pass' | 'fail' | 'inconclusive';
  run: string;
  endpoint: string | null;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  maxMismatchRate: number;
  minSamples: number;
  reasons: string[];
}

export class GateUsageError extends Error {}

function checkArgs(a: GateArgs): string[] {
  const errors: string[] = [];
  try {
    const u = new URL(a.report);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`--report: must be an http(s) URL, got '${a.report}'`);
  } catch {
    errors.push(`--report: must be a URL such as http://127.0.0.1:8081, got '${a.report}'`);
  }
  const rate = (flag: string, v: string | undefined) => {
    if (v === undefined) return;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) errors.push(`${flag}: must be a number from 0 to 1, got '${v}'`);
  };
  rate('--max-mismatch-rate', a.maxMismatchRate);
  rate('--max-endpoint-mismatch-rate', a.maxEndpointMismatchRate);
  if (!/^[1-9]\d*$/.test(a.minSamples)) errors.push(`--min-samples: must be a whole number of at least 1, got '${a.minSamples}'`);
  return errors;
}

/** Returns the exit code; prints the verdict (or the problem) as it goes. */
export async function runGate(a: GateArgs, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const problems = checkArgs(a);
  if (problems.length > 0) {
    for (const p of problems) err(`shadow-diff gate: ${p}`);
    return GATE_EXIT.error;
  }
  const url = new URL('/api/v1/gate', a.report);
  const params: Record<string, string | undefined> = {
    run: a.run,
    maxMismatchRate: a.maxMismatchRate,
    minSamples: a.minSamples,
    endpoint: a.endpoint,
    maxEndpointMismatchRate: a.maxEndpointMismatchRate,
    since: a.since,
    until: a.until,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  let status: number;
  let body: unknown;
  try {
    const res = await request(url, {
      headers: a.token ? { authorization: `Bearer ${a.token}` } : {},
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    status = res.statusCode;
    body = await res.body.json().catch(() => null);
  } catch (error) {
    err(`shadow-diff gate: could not evaluate: ${url.origin} is unreachable (${(error as Error).message})`);
    return GATE_EXIT.error;
  }
  const data = (body as { data?: GateData } | null)?.data;
  if (status !== 200 || !data) {
    const message = (body as { message?: string } | null)?.message ?? `HTTP ${status}`;
    err(`shadow-diff gate: could not evaluate: the report API answered ${status}: ${message}`);
    return GATE_EXIT.error;
  }
  if (a.json) {
    out(JSON.stringify(data));
  } else {
    const scope = data.endpoint ? `run ${data.run}, endpoint ${data.endpoint}` : `run ${data.run}`;
    out(`${data.verdict.toUpperCase()}: ${scope}`);
    out(
      `  compared ${data.compared}, mismatched ${data.mismatched}, mismatch rate ${(data.mismatchRate * 100).toFixed(2)}% ` +
        `(limit ${(data.maxMismatchRate * 100).toFixed(2)}%, at least ${data.minSamples} samples)`,
    );
    for (const r of data.reasons) out(`  - ${r}`);
  }
  return GATE_EXIT[data.verdict];
}
