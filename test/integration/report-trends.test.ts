/**
 * The report over time and across candidates, over real HTTP: live traffic captured through the
 * ingress, replayed (replay API) against two candidates built as real servers, where the second
 * fixes a field the first broke, keeps one, and breaks another. Timeline, comparison, the gate's
 * maxNewFields (GET, Flagger webhook, CLI) and `shadow-diff compare`.
 */
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../services/cli/compare-command.js';
import { runGate } from '../../services/cli/gate-command.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closedPortUrl, json, startUpstream, type Upstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const N = 120;
const idOf = (url: string) => Number.parseInt(url.split('/')[2] ?? '0', 10);
/** v1 of a small API; a candidate breaks some of its fields on some items. */
const api = (broken: { price?: boolean; name?: boolean; tax?: boolean }) => (req: { url: string }, res: ServerResponse) => {
  const id = idOf(req.url);
  json(res, 200, {
    id,
    price: broken.price && id % 3 === 0 ? 11 : 10,
    name: broken.name && id % 5 === 0 ? `item ${id}` : `Item ${id}`,
    tax: broken.tax && id % 4 === 0 ? 0.2 : 0.1,
  });
};

const servers: Upstream[] = [];
let h: Harness;

/** The replay API, as a release engineer's script would call it. */
async function replayInto(run: string, candidate: string): Promise<void> {
  const res = await request(`${h.report}/api/v1/replays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fromRun: 'live', candidate, run, concurrency: 8 }),
  });
  expect(res.statusCode, await res.body.text().catch(() => '')).toBe(202);
  await waitFor(() => h.summary(run), (s) => s.compared + s.skipped >= N, 30_000, `replay ${run} compared`);
}

async function get(path: string) {
  const res = await request(h.report + path);
  return { status: res.statusCode, body: (await res.body.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  const primary = await startUpstream(api({}));
  const v20 = await startUpstream(api({ price: true, name: true }));
  const v21 = await startUpstream(api({ name: true, tax: true }));
  servers.push(primary, v20, v21);
  h = await startHarness('embedded', { primary: primary.url, shadow: primary.url }, { replayAllow: `${v20.url},${v21.url}` });
  for (let i = 1; i <= N; i++) await request(`${h.ingress}/items/${i}`).then((r) => r.body.dump());
  await h.settled(N);
  await replayInto('v2.0', v20.url);
  await replayInto('v2.1', v21.url);
  // A short run (the CLI's --limit), too small to count new fields against.
  const short = cliInProcess(['replay', '--db', h.db, '--from-run', 'live', '--candidate', v21.url, '--run', 'v2.1-short', '--limit', '10']);
  expect(await short.exited(), short.output()).toBe(0);
}, 120_000);

afterAll(async () => {
  await h?.close();
  for (const s of servers) await s.close();
});

describe('timeline', () => {
  it('gives points that add up to the summary of the same window, run and endpoint alike', async () => {
    for (const query of ['run=v2.0', 'run=v2.0&since=PT1H', 'run=live', `run=v2.0&since=${new Date(Date.now() - 3 * 86_400_000).toISOString()}`]) {
      const tl = (await get(`/api/v1/timeline?${query}`)).body;
      const s = (await get(`/api/v1/summary?${query}`)).body;
      expect(tl.points.length).toBeGreaterThan(0);
      expect(tl.points.length).toBeLessThanOrEqual(300);
      const sum = (k: string) => tl.points.reduce((n: number, p: Record<string, number>) => n + (p[k] as number), 0);
      expect({ compared: sum('compared'), mismatched: sum('mismatched'), skipped: sum('skipped'), shadowErrors: sum('shadowErrors') }, query).toEqual({
        compared: s.compared,
        mismatched: s.mismatched,
        skipped: s.skipped,
        shadowErrors: s.shadowErrors,
      });
    }
    const endpoint = (await get('/api/v1/endpoints?run=v2.0')).body.endpoints[0].endpoint as string;
    const one = (await get(`/api/v1/timeline?run=v2.0&endpoint=${encodeURIComponent(endpoint)}`)).body;
    expect(one).toMatchObject({ run: 'v2.0', endpoint, bucketSeconds: 60 });
    // 40 items with a broken price, 24 with a broken name, 8 with both.
    expect(one.points.reduce((n: number, p: { mismatched: number }) => n + p.mismatched, 0)).toBe(56);
    expect(one.points.some((p: { primaryP99Ms: number | null }) => typeof p.primaryP99Ms === 'number')).toBe(true);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    for (const [query, parameter] of [['since=yesterday', 'since'], ['until=PT1H&since=PT1M', 'until'], ['run=bad%20name', 'run'], ['bucket=5', 'bucket']] as const) {
      const res = await get(`/api/v1/timeline?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter });
    }
  });
});

describe('comparing candidates', () => {
  it('finds exactly what v2.1 fixed, broke and kept against v2.0', async () => {
    const { status, body } = await get('/api/v1/runs/compare?base=v2.0&head=v2.1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ base: 'v2.0', head: 'v2.1' });
    expect(body.endpoints).toHaveLength(1);
    expect(body.endpoints[0]).toMatchObject({ presence: 'both', base: { compared: N, mismatched: 56 }, head: { compared: N, mismatched: 48 } });
    expect(body.endpoints[0].fields).toEqual([
      { path: '$.tax', status: 'new', baseMismatches: 0, headMismatches: 30 },
      { path: '$.price', status: 'fixed', baseMismatches: 40, headMismatches: 0 },
      { path: '$.name', status: 'persisting', baseMismatches: 24, headMismatches: 24 },
    ]);
    // Live mirroring (A/A) differs nowhere: against it every field of v2.0 is new.
    const fromLive = (await get('/api/v1/runs/compare?base=live&head=v2.0')).body;
    expect(fromLive.endpoints[0].fields.map((f: { status: string }) => f.status)).toEqual(['new', 'new']);
  });

  it('answers 404 for a run it never saw and 400 for a missing or bad parameter', async () => {
    expect(await get('/api/v1/runs/compare?base=v2.0&head=v9')).toMatchObject({ status: 404, body: { code: 'SD_ERR_NOT_FOUND', parameter: 'head' } });
    expect(await get('/api/v1/runs/compare?base=v2.0')).toMatchObject({ status: 400, body: { parameter: 'head' } });
    expect(await get('/api/v1/runs/compare?base=v2.0&head=v2.1&since=nope')).toMatchObject({ status: 400, body: { parameter: 'since' } });
  });
});

describe('the gate counts new fields against a baseline run', () => {
  const gate = (extra: string) => get(`/api/v1/gate?run=v2.1&maxMismatchRate=1&minSamples=100&${extra}`);

  it('fails with more new fields than maxNewFields, whatever the rate, and passes within it', async () => {
    const fail = (await gate('baseline=v2.0&maxNewFields=0')).body.data;
    expect(fail).toMatchObject({ verdict: 'fail', pass: false, baseline: 'v2.0', baselineCompared: N, maxNewFields: 0, newFields: [{ path: '$.tax', headMismatches: 30 }] });
    expect(fail.reasons.join('\n')).toMatch(/1 new differing fields against the baseline run v2.0 \(limit 0\): .*\$\.tax/);
    const pass = (await gate('baseline=v2.0&maxNewFields=1')).body.data;
    expect(pass).toMatchObject({ verdict: 'pass', maxNewFields: 1, newFields: [{ path: '$.tax' }] });
    // Without a baseline nothing changes.
    expect((await gate('')).body.data).toMatchObject({ verdict: 'pass', baseline: null, maxNewFields: null, newFields: [] });
  });

  it('is inconclusive below minSamples in either run', async () => {
    const fewInBaseline = (await gate('baseline=v2.1-short&maxNewFields=5')).body.data;
    expect(fewInBaseline).toMatchObject({ verdict: 'inconclusive', baselineCompared: 10 });
    expect(fewInBaseline.reasons.join()).toMatch(/only 10 comparisons in the baseline run v2.1-short/);
    const fewInRun = (await get('/api/v1/gate?run=v2.1-short&maxMismatchRate=1&minSamples=100&baseline=v2.0&maxNewFields=5')).body.data;
    expect(fewInRun).toMatchObject({ verdict: 'inconclusive', compared: 10 });
  });

  it('reads maxNewFields and baseline from the Flagger webhook metadata', async () => {
    const post = (metadata: Record<string, string>) =>
      request(`${h.report}/api/v1/gate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'app', metadata }) });
    const meta = { run: 'v2.1', maxMismatchRate: '1', minSamples: '100', baseline: 'v2.0' };
    const failed = await post({ ...meta, maxNewFields: '0' });
    expect(failed.statusCode).toBe(412);
    expect(((await failed.body.json()) as { data: { newFields: unknown[] } }).data.newFields).toHaveLength(1);
    expect((await post({ ...meta, maxNewFields: '1' })).statusCode).toBe(200);
    const bad = await post({ ...meta, maxNewFields: '-1' });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toMatchObject({ parameter: 'metadata.maxNewFields' });
    const badRun = await post({ ...meta, baseline: 'no good', maxNewFields: '1' });
    expect(await badRun.body.json()).toMatchObject({ parameter: 'metadata.baseline' });
  });

  it('refuses bad values with a 400 naming the parameter', async () => {
    for (const [extra, parameter] of [
      ['baseline=v2.0&maxNewFields=-1', 'maxNewFields'],
      ['baseline=v2.0&maxNewFields=1.5', 'maxNewFields'],
      ['baseline=v2.0&maxNewFields=0x1', 'maxNewFields'],
      ['maxNewFields=1', 'baseline'],
      ['baseline=v2.0', 'maxNewFields'],
      ['baseline=bad%20name&maxNewFields=1', 'baseline'],
    ] as const) {
      const res = await gate(extra);
      expect(res.status, extra).toBe(400);
      expect(res.body, extra).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter });
    }
  });

  it('is what `shadow-diff gate --baseline-run RUN --max-new-fields N` exits with', async () => {
    const out: string[] = [];
    const args = { report: h.report, run: 'v2.1', maxMismatchRate: '1', minSamples: '100', baselineRun: 'v2.0' };
    expect(await runGate({ ...args, maxNewFields: '1' }, (l) => out.push(l), () => {})).toBe(0);
    expect(out.join('\n')).toMatch(/new differing fields against v2.0: 1 \(limit 1\)/);
    const errors: string[] = [];
    expect(await runGate({ ...args, maxNewFields: 'many' }, () => {}, (l) => errors.push(l))).toBe(3);
    expect(await runGate({ ...args, baselineRun: undefined, maxNewFields: '1' }, () => {}, (l) => errors.push(l))).toBe(3);
    expect(errors.join('\n')).toMatch(/--max-new-fields: .*\n.*--max-new-fields: needs --baseline-run/);
    const cli = cliInProcess(['gate', '--report', h.report, '--run', 'v2.1', '--max-mismatch-rate', '1', '--min-samples', '100', '--baseline-run', 'v2.0', '--max-new-fields', '0']);
    expect(await cli.exited(), cli.output()).toBe(1);
    expect(cli.output()).toMatch(/FAIL: run v2.1[\s\S]*\$\.tax/);
  }, 30_000);
});

describe('shadow-diff compare', () => {
  it('prints the comparison as a table, or as JSON', async () => {
    const cli = cliInProcess(['compare', '--report', h.report, '--base', 'v2.0', '--head', 'v2.1']);
    expect(await cli.exited(), cli.output()).toBe(0);
    const text = cli.output();
    expect(text).toMatch(/head v2\.1 against base v2\.0/);
    expect(text).toMatch(/new +\$\.tax +base +0 +head +30/);
    expect(text).toMatch(/fixed +\$\.price +base +40 +head +0/);
    expect(text).toMatch(/persisting +\$\.name +base +24 +head +24/);
    expect(text).toMatch(/1 new, 1 fixed, 1 persisting/);
    const out: string[] = [];
    expect(await runCompare({ report: h.report, base: 'v2.0', head: 'v2.1', json: true }, (l) => out.push(l), () => {})).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual((await get('/api/v1/runs/compare?base=v2.0&head=v2.1')).body);
  }, 30_000);

  it('exits 2 on bad input and 3 when the report API cannot be reached or read', async () => {
    const cli = cliInProcess(['compare', '--report', h.report, '--base', 'v2.0', '--head', 'v9']);
    expect(await cli.exited()).toBe(2);
    expect(cli.output()).toMatch(/404: parameter 'head': no run named 'v9'/);
    const missing = cliInProcess(['compare', '--report', h.report, '--base', 'v2.0']);
    expect(await missing.exited()).toBe(2);
    expect(missing.output()).toMatch(/--head .* is required/);
    const quiet = () => {};
    expect(await runCompare({ report: 'ftp://x', base: 'a', head: 'b' }, quiet, quiet)).toBe(2);
    expect(await runCompare({ report: await closedPortUrl(), base: 'a', head: 'b' }, quiet, quiet)).toBe(3);
    const liar = await startUpstream((_req, res) => json(res, 200, { base: 'a', head: 'b', endpoints: 'none' }));
    try {
      expect(await runCompare({ report: liar.url, base: 'a', head: 'b' }, quiet, quiet)).toBe(3);
    } finally {
      await liar.close();
    }
  }, 30_000);
});
