/**
 * The gate CLI against a real HTTP server that answers whatever the test says: anything that is not
 * a well-formed verdict for the question asked is "could not evaluate" (3), never pass; and every
 * numeric or time flag is checked before anything is asked.
 */
import type { ServerResponse } from 'node:http';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runGate, type GateArgs } from '../../services/cli/gate-command.js';
import { spawnCli } from '../support/cli-process.js';
import { useScope } from '../support/scope.js';
import { json, startUpstream, type Upstream } from '../support/upstream.js';

const scope = useScope();
let server: Upstream;
let answer: (res: ServerResponse) => void;

const VERDICT = {
  verdict: 'pass',
  pass: true,
  run: 'live',
  endpoint: null,
  compared: 120,
  mismatched: 1,
  mismatchRate: 1 / 120,
  maxMismatchRate: 0.01,
  minSamples: 100,
  maxEndpointMismatchRate: null,
  failingEndpoints: [],
  since: null,
  until: null,
  reasons: ['mismatch rate 0.83% (1/120) is within the limit 1.00%'],
};
const withData = (data: unknown) => (res: ServerResponse) => json(res, 200, { data });
const raw = (status: number, contentType: string, text: string) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(text);
};

// scope's servers close after each test; this one serves the whole file.
beforeAll(async () => {
  server = await startUpstream((_req, res) => answer(res));
  return () => server.close();
});
beforeEach(() => {
  answer = withData(VERDICT);
  server.seen.length = 0;
});

async function gate(extra: Partial<GateArgs> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const args: GateArgs = { report: server.url, maxMismatchRate: '0.01', minSamples: '100', ...extra };
  const code = await runGate(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the gate CLI reads only answers it understands', () => {
  it('passes on a well-formed verdict, extra fields included', async () => {
    answer = withData({ ...VERDICT, somethingNew: { total: 3 } });
    expect(await gate()).toMatchObject({ code: 0, err: '' });
    expect((await gate({ json: true })).code).toBe(0);
  });

  const { reasons: _reasons, ...withoutReasons } = VERDICT;
  const { verdict: _verdict, ...withoutVerdict } = VERDICT;
  it.each([
    ['{"data":{}}', withData({})],
    ['verdict "PASS"', withData({ ...VERDICT, verdict: 'PASS' })],
    ['verdict "ok"', withData({ ...VERDICT, verdict: 'ok' })],
    ['no verdict', withData(withoutVerdict)],
    ['no reasons', withData(withoutReasons)],
    ['compared as a string', withData({ ...VERDICT, compared: '120' })],
    ['pass true with verdict fail', withData({ ...VERDICT, verdict: 'fail' })],
    ['verdict pass with pass false', withData({ ...VERDICT, pass: false })],
    ['mismatched above compared', withData({ ...VERDICT, mismatched: 500 })],
    ['a mismatch rate above 1', withData({ ...VERDICT, mismatchRate: 4 })],
    ['negative counts', withData({ ...VERDICT, compared: -1, mismatched: -1 })],
    ['another threshold than asked', withData({ ...VERDICT, maxMismatchRate: 1 })],
    ['another sample floor than asked', withData({ ...VERDICT, minSamples: 1 })],
    ['data as an array', withData([VERDICT])],
    ['data null', withData(null)],
    ['the verdict without its envelope', (res: ServerResponse) => json(res, 200, VERDICT)],
    ['a JSON array', (res: ServerResponse) => json(res, 200, [])],
    ['JSON null', raw(200, 'application/json', 'null')],
    ['non-JSON text', raw(200, 'text/plain', 'pass')],
    ['an HTML page', raw(200, 'text/html', '<!doctype html><html><body>{"data":{"verdict":"pass"}}</body></html>')],
    ['an empty body', raw(200, 'application/json', '')],
    ['truncated JSON', raw(200, 'application/json', JSON.stringify({ data: VERDICT }).slice(0, 40))],
    ['a 200 from a proxy login page', raw(200, 'text/html; charset=utf-8', '<html><form action="/login"></form></html>')],
  ])('exits 3 on %s, with and without --json', async (_label, bad) => {
    answer = bad;
    for (const json of [false, true]) {
      const r = await gate({ json });
      expect(r.code, `json=${json}: ${r.out} ${r.err}`).toBe(3);
      expect(r.err).toMatch(/could not evaluate/);
      expect(r.out).toBe('');
    }
  });

  it('asks for new fields against a baseline only in answers that judged them', async () => {
    const withBaseline = { baselineRun: 'v1', maxNewFields: '0' };
    const judged = { ...VERDICT, baseline: 'v1', baselineCompared: 150, maxNewFields: 0, newFields: [] };
    answer = withData(judged);
    expect(await gate(withBaseline)).toMatchObject({ code: 0, err: '' });
    expect(new URL(server.seen.at(-1)?.url ?? '', server.url).searchParams.get('maxNewFields')).toBe('0');
    // A server that ignores maxNewFields (an older version) judged without it: could not evaluate.
    for (const bad of [VERDICT, { ...judged, maxNewFields: 3 }, { ...judged, baseline: 'v0' }, { ...judged, newFields: [{ endpoint: 'GET /a', path: '$.x', headMismatches: 1 }] }]) {
      answer = withData(bad);
      const r = await gate(withBaseline);
      expect(r.code, r.err).toBe(3);
      expect(r.err).toMatch(/could not evaluate/);
    }
  });

  it('exits 3 from the real process, with and without --json', async () => {
    answer = withData({});
    for (const flags of [['--json'], []]) {
      const p = spawnCli(['gate', '--report', server.url, '--max-mismatch-rate', '0.01', '--min-samples', '100', ...flags]);
      scope.defer(() => p.kill());
      expect(await p.exited(), p.output()).toBe(3);
      expect(p.output()).toMatch(/could not evaluate: .*verdict/);
    }
  });
});

describe('the gate CLI checks its flags before asking', () => {
  it.each([
    ['maxMismatchRate', '--max-mismatch-rate', ['Infinity', '1e309', '', ' ', '0x1', '-0.1', '1.5', '+0.5', ' 0.1', 'NaN']],
    ['maxEndpointMismatchRate', '--max-endpoint-mismatch-rate', ['Infinity', '1e400', ' ', '0b1', '2']],
    ['minSamples', '--min-samples', ['0', '0x10', '1e3', '1.5', 'Infinity', '99999999999999999999', ' 5', '']],
    ['since', '--since', ['P99999999999999999999D', 'yesterday', '', '2026-02-30T00:00:00Z']],
    ['until', '--until', ['PT99999999999999999999S', '12', '2026-04-31']],
  ] as const)('%s: refuses bad values naming %s', async (key, flag, values) => {
    for (const value of values) {
      const r = await gate({ [key]: value });
      expect(r.code, `${flag} ${JSON.stringify(value)}`).toBe(3);
      expect(r.err, `${flag} ${JSON.stringify(value)}`).toContain(`${flag}: `);
    }
    expect(server.seen).toHaveLength(0);
  });

  it('accepts well-formed values and sends them as written', async () => {
    answer = withData({ ...VERDICT, maxMismatchRate: 1e-3, minSamples: 100, maxEndpointMismatchRate: 0.5 });
    const r = await gate({ maxMismatchRate: '1e-3', maxEndpointMismatchRate: '.5', since: 'PT30M', until: '2026-11-24T10:00:00Z' });
    expect(r.code, r.err).toBe(0);
    expect(server.seen[0]?.url).toContain('maxMismatchRate=1e-3');
  });
});
