/**
 * `shadow-diff compare --report URL --base RUN --head RUN [--json]`: what the head run fixed or
 * broke against the base run, as the report's /compare page shows it. Exit codes follow replay's
 * (a command that prints, not a verdict): 0 printed, 2 bad input (flags, or a run or parameter the
 * report API refused with 400/404), 3 the report API unreachable or its answer unreadable.
 */
import { Ajv } from 'ajv';
import { request } from 'undici';
import { checkUrl, REPORT_URL } from '../../libs/values/url.js';
import { compareResponse, type RunComparison as Comparison, type RunCounts as Counts } from '../../libs/api/index.js';

export const COMPARE_EXIT = { printed: 0, usage: 2, unreachable: 3 } as const;

export interface CompareArgs {
  report: string;
  base: string;
  head: string;
  token?: string | undefined;
  json?: boolean | undefined;
}

const validate = new Ajv({ allowUnionTypes: true }).compile<Comparison>(compareResponse);

const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const counts = (c: Counts) => `${c.mismatched}/${c.compared} (${pct(c.mismatchRate)})`;

/** The comparison as text: per endpoint its rates, then its fields, new first. */
export function compareTable(c: Comparison): string[] {
  const lines = [`head ${c.head} against base ${c.base}`];
  const all = c.endpoints.flatMap((e) => e.fields);
  const width = Math.max(4, ...all.map((f) => f.path.length));
  for (const e of c.endpoints) {
    const only = e.presence === 'both' ? '' : `  (only in ${e.presence})`;
    lines.push('', `${e.endpoint}  base ${counts(e.base)}  head ${counts(e.head)}${only}`);
    for (const f of e.fields) lines.push(`  ${f.status.padEnd(10)}  ${f.path.padEnd(width)}  base ${String(f.baseMismatches).padStart(6)}  head ${String(f.headMismatches).padStart(6)}`);
    if (e.fields.length === 0) lines.push('  no field differs in either run');
  }
  const n = (status: string) => all.filter((f) => f.status === status).length;
  lines.push('', `${n('new')} new, ${n('fixed')} fixed, ${n('persisting')} persisting`);
  return lines;
}

function checkArgs(a: CompareArgs): string[] {
  const report = checkUrl(a.report, REPORT_URL);
  return report.ok ? [] : [`--report: ${report.problem}`];
}

export async function runCompare(a: CompareArgs, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const problems = checkArgs(a);
  if (problems.length > 0) {
    for (const p of problems) err(`shadow-diff compare: ${p}`);
    return COMPARE_EXIT.usage;
  }
  const url = new URL('/api/v1/runs/compare', a.report);
  url.searchParams.set('base', a.base);
  url.searchParams.set('head', a.head);
  let status: number;
  let text: string;
  try {
    const res = await request(url, { headers: a.token ? { authorization: `Bearer ${a.token}` } : {}, headersTimeout: 30_000, bodyTimeout: 30_000 });
    status = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    err(`shadow-diff compare: ${url.origin} is unreachable (${(error as Error).message})`);
    return COMPARE_EXIT.unreachable;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status !== 200) {
    const message = (body as { message?: unknown } | undefined)?.message;
    err(`shadow-diff compare: the report API answered ${status}: ${typeof message === 'string' ? message : `HTTP ${status}`}`);
    return status === 400 || status === 404 ? COMPARE_EXIT.usage : COMPARE_EXIT.unreachable;
  }
  if (!validate(body) || body.base !== a.base || body.head !== a.head) {
    err(`shadow-diff compare: the answer is not a comparison of ${a.base} and ${a.head}`);
    return COMPARE_EXIT.unreachable;
  }
  if (a.json) out(JSON.stringify(body));
  else for (const line of compareTable(body)) out(line);
  return COMPARE_EXIT.printed;
}
