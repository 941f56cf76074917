/** Report API v1 beyond the basics, through a real listen: runs, windows, latency, the gate, auth, OpenAPI, retention, the gate CLI. */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { sql } from 'drizzle-orm';
import { num } from '../../libs/store/db.js';
import { binOf, binUpperMs } from '../../libs/store/latency-bins.js';
import { openStore, purgeDetails, summary, type Store } from '../../libs/store/index.js';
import type { Exchange } from '../../libs/exchange/exchange.js';
import { createJobHandler } from '../../services/comparator/handle-job.js';
import { buildReportApp } from '../../services/report-api/report-app.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { closedPortUrl } from '../support/upstream.js';
import { makeExchange } from '../support/fixtures.js';
import { tempDb } from '../support/temp.js';

const TOKEN = 'a-long-enough-report-token';
const T0 = Date.parse('2026-11-20T10:00:00Z');
let store: Store;
let open: FastifyInstance;
let secured: FastifyInstance;
let url: string;
let securedUrl: string;

async function seed(ex: Exchange): Promise<void> {
  await createJobHandler(store)({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
}

beforeAll(async () => {
  store = await openStore(tempDb());
  // live: 100 compared on /users (4 mismatched, one per 25), 10 on /orders (5 mismatched), spread over 110 minutes.
  for (let i = 0; i < 110; i++) {
    const orders = i >= 100;
    const bad = orders ? i % 2 === 0 : i % 25 === 0;
    const ex = makeExchange({ id: `live-${i}`, receivedAt: T0 + i * 60_000, primaryJson: { v: 1 }, shadowJson: { v: bad ? 2 : 1 } });
    ex.request.url = orders ? `/orders/${i}` : `/users/${i}`;
    ex.primary.latencyMs = i + 1; // 1..110 ms
    await seed(ex);
  }
  // a replay run with 3 comparisons, 3 mismatched
  for (let i = 0; i < 3; i++) await seed({ ...makeExchange({ id: `replay-${i}`, primaryJson: { a: 1 }, shadowJson: { a: 2 } }), run: 'replay-1', runKind: 'replay' });
  open = await buildReportApp({ store, defaultRun: 'live' });
  url = await open.listen({ host: '127.0.0.1', port: 0 });
  secured = await buildReportApp({ store, defaultRun: 'live', token: TOKEN });
  securedUrl = await secured.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await open.close();
  await secured.close();
  await store.close();
});

async function get(path: string, base = url, headers: Record<string, string> = {}) {
  const res = await request(base + path, { headers });
  const text = await res.body.text();
  let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.statusCode, body, headers: res.headers };
}

describe('runs, windows and latency', () => {
  it('lists runs with their kind, figures and first/last seen', async () => {
    const { body } = await get('/api/v1/runs');
    const live = body.runs.find((r: { run: string }) => r.run === 'live');
    expect(live).toEqual({
      run: 'live',
      kind: 'live',
      compared: 110,
      mismatched: 9,
      mismatchRate: 9 / 110,
      firstSeenAt: new Date(T0).toISOString(),
      lastSeenAt: new Date(T0 + 109 * 60_000).toISOString(),
    });
    expect(body.runs.find((r: { run: string }) => r.run === 'replay-1')).toMatchObject({ kind: 'replay', compared: 3, mismatched: 3 });
  });

  it('filters summary, endpoints and discrepancies by since and until', async () => {
    const since = new Date(T0 + 100 * 60_000).toISOString();
    expect((await get(`/api/v1/summary?since=${since}`)).body).toMatchObject({ compared: 10, mismatched: 5 });
    const until = new Date(T0 + 50 * 60_000).toISOString();
    expect((await get(`/api/v1/summary?until=${until}`)).body).toMatchObject({ compared: 50, mismatched: 2 }); // ids 0 and 25
    const endpoints = (await get(`/api/v1/endpoints?since=${since}`)).body.endpoints;
    expect(endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['GET /orders/:id']);
    const list = (await get(`/api/v1/discrepancies?until=${until}`)).body;
    expect(list.items.map((i: { id: string }) => i.id).sort()).toEqual(['live-0', 'live-25']);
  });

  it('reports latency percentiles per endpoint', async () => {
    const users = (await get('/api/v1/endpoints')).body.endpoints.find((e: { endpoint: string }) => e.endpoint === 'GET /users/:id');
    // Percentiles come from the latency histogram: the upper bound of the true percentile's bin.
    const at = (ms: number) => binUpperMs(binOf(ms));
    expect(users.latency.primary).toEqual({ p50: at(50), p95: at(95), p99: at(99) });
    expect(users.latency.shadow).toEqual({ p50: at(6), p95: at(6), p99: at(6) });
  });

  it.each([
    ['/api/v1/summary?since=yesterday', 'since'],
    ['/api/v1/endpoints?until=12', 'until'],
    [`/api/v1/summary?since=${new Date(T0).toISOString()}&until=${new Date(T0 - 1).toISOString()}`, 'until'],
  ])('answers 400 for a bad window: %s', async (path, parameter) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.parameter).toBe(parameter);
  });
});

describe('gate', () => {
  it.each([
    ['pass', 'maxMismatchRate=0.1&minSamples=100', true],
    ['fail', 'maxMismatchRate=0.05&minSamples=100', false],
    ['inconclusive', 'maxMismatchRate=0.1&minSamples=1000', false],
  ])('answers 200 with verdict %s', async (verdict, query, pass) => {
    const res = await get(`/api/v1/gate?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ verdict, pass, run: 'live', compared: 110, mismatched: 9 });
    expect(res.body.data.reasons.length).toBeGreaterThan(0);
  });

  it('fails on an endpoint limit, naming the endpoint, and gates one endpoint alone', async () => {
    const res = await get('/api/v1/gate?maxMismatchRate=0.1&minSamples=100&maxEndpointMismatchRate=0.2');
    expect(res.body.data.verdict).toBe('fail');
    expect(res.body.data.failingEndpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['GET /orders/:id']);
    expect(res.body.data.reasons.join()).toContain('GET /orders/:id');
    const one = await get(`/api/v1/gate?maxMismatchRate=0.05&minSamples=50&endpoint=${encodeURIComponent('GET /users/:id')}`);
    expect(one.body.data).toMatchObject({ verdict: 'pass', compared: 100, mismatched: 4, endpoint: 'GET /users/:id' });
  });

  it('honours since on the gate', async () => {
    const res = await get(`/api/v1/gate?maxMismatchRate=0.1&minSamples=5&since=${new Date(T0 + 100 * 60_000).toISOString()}`);
    expect(res.body.data).toMatchObject({ verdict: 'fail', compared: 10, mismatched: 5 });
  });

  it.each([
    ['minSamples=10', 'maxMismatchRate'],
    ['maxMismatchRate=0.1', 'minSamples'],
    ['maxMismatchRate=2&minSamples=10', 'maxMismatchRate'],
    ['maxMismatchRate=0.1&minSamples=0', 'minSamples'],
    ['maxMismatchRate=abc&minSamples=10', 'maxMismatchRate'],
    ['maxMismatchRate=0.1&minSamples=10&since=soon', 'since'],
  ])('answers 400 naming the parameter for %s', async (query, parameter) => {
    const res = await get(`/api/v1/gate?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter });
  });

  it.each([
    [{ maxMismatchRate: '0.1', minSamples: '100' }, 200, 'pass'],
    [{ maxMismatchRate: '0.01', minSamples: '100' }, 412, 'fail'],
    [{ maxMismatchRate: '0.1', minSamples: '100000' }, 412, 'inconclusive'],
    [{ run: 'replay-1', maxMismatchRate: '0.5', minSamples: '1' }, 412, 'fail'],
  ])('serves the Flagger webhook: %o -> %i', async (metadata, status, verdict) => {
    const res = await request(`${url}/api/v1/gate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reviews', namespace: 'prod', phase: 'Progressing', metadata }),
    });
    expect(res.statusCode).toBe(status);
    expect(((await res.body.json()) as { data: { verdict: string } }).data.verdict).toBe(verdict);
  });

  it('refuses an oversized body without reading it all, and never shows a stack trace', async () => {
    const res = await request(`${url}/api/v1/gate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100_000), metadata: { maxMismatchRate: '0.1', minSamples: '1' } }),
    });
    expect(res.statusCode).toBe(413);
    const text = await res.body.text();
    expect(text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    const broken = await request(`${url}/api/v1/gate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"metadata": ' });
    expect(broken.statusCode).toBe(400);
    expect(await broken.body.text()).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('answers 400 for a webhook without usable metadata', async () => {
    for (const metadata of [{ minSamples: '10' }, { maxMismatchRate: 'x', minSamples: '10' }, { maxMismatchRate: '0.1', minSamples: '1.5' }]) {
      const res = await request(`${url}/api/v1/gate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', metadata }) });
      expect(res.statusCode).toBe(400);
      expect(((await res.body.json()) as { parameter: string }).parameter).toMatch(/maxMismatchRate|minSamples/);
    }
  });
});

describe('auth', () => {
  it('requires the bearer token everywhere but /healthz', async () => {
    for (const path of ['/api/v1/summary', '/api/v1/gate?maxMismatchRate=0.1&minSamples=1', '/metrics', '/openapi.json']) {
      const none = await get(path, securedUrl);
      expect(none.status, path).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      expect((await get(path, securedUrl, { authorization: 'Bearer wrong-token-of-some-length' })).status, path).toBe(401);
      expect((await get(path, securedUrl, { authorization: `Bearer ${TOKEN}` })).status, path).toBe(200);
    }
    expect((await get('/healthz', securedUrl)).status).toBe(200);
  });

  it('lets a browser log in with the token and keeps it in an HttpOnly cookie', async () => {
    // The page shell holds no data and is served to anyone; its API calls are what need the login.
    const page = await get('/', securedUrl, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect((await get('/api/v1/summary', securedUrl, { accept: 'application/json' })).status).toBe(401);
    const form = await get('/login', securedUrl);
    expect(form.status).toBe(200);
    expect(String(form.body)).toContain('<form method="post" action="/login">');
    const post = (token: string) =>
      request(`${securedUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
    const wrong = await post('not-the-token-at-all');
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();
    const right = await post(TOKEN);
    await right.body.dump();
    expect(right.statusCode).toBe(303);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/v1;/);
    const session = cookie.split(';')[0] as string;
    expect((await get('/api/v1/summary', securedUrl, { cookie: session })).status).toBe(200);
    const name = session.slice(0, session.indexOf('='));
    expect((await get('/api/v1/summary', securedUrl, { cookie: `${name}=forged-token-value` })).status).toBe(401);
    expect((await get('/api/v1/summary', securedUrl, { cookie: `${name}=v1.9999999999.${'A'.repeat(43)}` })).status).toBe(401);
  });
});

describe('OpenAPI and metrics', () => {
  it('documents every route with its response schemas', async () => {
    const { body } = await get('/openapi.json');
    expect(body.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/healthz', 'get'],
      ['/metrics', 'get'],
      ['/api/v1/runs', 'get'],
      ['/api/v1/summary', 'get'],
      ['/api/v1/endpoints', 'get'],
      ['/api/v1/discrepancies', 'get'],
      ['/api/v1/discrepancies/{id}', 'get'],
      ['/api/v1/gate', 'get'],
      ['/api/v1/gate', 'post'],
    ];
    for (const [path, method] of expected) {
      const op = body.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      if (path !== '/metrics') expect(Object.keys(op.responses), `${method} ${path}`).toContain('200');
    }
    expect(body.paths['/api/v1/gate'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['run', 'maxMismatchRate', 'minSamples', 'endpoint', 'since', 'until', 'maxEndpointMismatchRate']),
    );
  });

  it('is a valid OpenAPI 3.0 document, open and secured, replay routes included', async () => {
    const queue = createEmbeddedQueue({ maxBacklog: 1 });
    const withReplays = await buildReportApp({ store, defaultRun: 'live', replays: { publisher: queue.publisher, captureMaxBytes: 1024, targets: { allow: [], maxConcurrent: 2 } } });
    try {
      const docs = [
        (await withReplays.inject('/openapi.json')).json(),
        (await get('/openapi.json')).body,
        (await get('/openapi.json', securedUrl, { authorization: `Bearer ${TOKEN}` })).body,
      ];
      expect(docs[0].paths['/api/v1/replays']).toBeDefined();
      for (const doc of docs) await SwaggerParser.validate(structuredClone(doc));
    } finally {
      await withReplays.close();
      await queue.close();
    }
  });

  it('applies the bearer scheme to every route but /healthz and documents its 401', async () => {
    const { body } = await get('/openapi.json', securedUrl, { authorization: `Bearer ${TOKEN}` });
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(body.security).toEqual([{ bearer: [] }]);
    expect(body.paths['/healthz'].get.security).toEqual([]);
    expect(body.paths['/healthz'].get.responses['401']).toBeUndefined();
    let secured = 0;
    for (const [path, operations] of Object.entries(body.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, any> }>>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (path === '/healthz') continue;
      for (const [method, op] of Object.entries(operations)) {
        expect(op.security, `${method} ${path}`).toBeUndefined(); // the global requirement applies
        const unauthorized = op.responses['401'];
        expect(unauthorized, `${method} ${path}`).toBeDefined();
        const schema = unauthorized.content['application/json'].schema;
        expect(schema.required, `${method} ${path}`).toEqual(expect.arrayContaining(['code', 'message']));
        secured++;
      }
    }
    expect(secured).toBeGreaterThanOrEqual(8);
    // What the document says is what the server does.
    const refused = await get('/api/v1/runs', securedUrl);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'SD_ERR_UNAUTHORIZED' });
  });

  it('declares no bearer scheme when the API has no token', async () => {
    const { body } = await get('/openapi.json');
    expect(body.security ?? []).toEqual([]);
    expect(body.components?.securitySchemes?.bearer).toBeUndefined();
    expect(body.paths['/api/v1/runs'].get.responses['401']).toBeUndefined();
  });

  it("passes promtool's metric lint", async () => {
    const { body } = await get('/metrics');
    expect(body).toContain('# TYPE shadowdiff_comparisons_total counter');
    const lint = promtoolCheckMetrics(body);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);
  });

  it('exposes Prometheus counters that agree with the summary', async () => {
    const { body, headers } = await get('/metrics');
    expect(headers['content-type']).toContain('text/plain');
    const value = (labels: string) => Number(new RegExp(`^shadowdiff_comparisons_total\\{${labels}\\} (\\d+)`, 'm').exec(body)?.[1]);
    expect(value('run="live",endpoint="GET /users/:id",result="mismatch"')).toBe(4);
    expect(value('run="live",endpoint="GET /users/:id",result="match"')).toBe(96);
    expect(value('run="live",endpoint="GET /orders/:id",result="mismatch"')).toBe(5);
    expect(body).toMatch(/^shadowdiff_dropped_total\{run="live"\} 0$/m);
    expect(body).not.toMatch(/endpoint="GET \/users\/\d+"/); // templates, never raw paths
  });
});

describe('the gate CLI', () => {
  it.each([
    [['--max-mismatch-rate', '0.1', '--min-samples', '100'], 0, /^PASS: run live/m],
    [['--max-mismatch-rate', '0.05', '--min-samples', '100'], 1, /^FAIL: run live/m],
    [['--max-mismatch-rate', '0.1', '--min-samples', '1000'], 2, /^INCONCLUSIVE/m],
    [['--max-mismatch-rate', '1.5', '--min-samples', '100'], 3, /--max-mismatch-rate: must be a number from 0 to 1/],
    [['--min-samples', '100'], 3, /--max-mismatch-rate \(env SHADOW_DIFF_MAX_MISMATCH_RATE, config key 'maxMismatchRate'\) is required/],
  ])('%j exits %i', async (args, code, output) => {
    const p = cliInProcess(['gate', '--report', url, ...args]);
    expect(await p.exited()).toBe(code);
    expect(p.output()).toMatch(output);
  });

  it('exits 3 when the report API is unreachable, and uses the token', async () => {
    const down = cliInProcess(['gate', '--report', await closedPortUrl(), '--max-mismatch-rate', '0.1', '--min-samples', '1']);
    expect(await down.exited()).toBe(3);
    expect(down.output()).toContain('unreachable');
    const refused = cliInProcess(['gate', '--report', securedUrl, '--max-mismatch-rate', '0.1', '--min-samples', '100']);
    expect(await refused.exited()).toBe(3);
    const withToken = cliInProcess(['gate', '--report', securedUrl, '--max-mismatch-rate', '0.1', '--min-samples', '100', '--json'], { REPORT_TOKEN: TOKEN });
    expect(await withToken.exited()).toBe(0);
    expect(JSON.parse(withToken.output().trim().split('\n').pop() as string)).toMatchObject({ verdict: 'pass', compared: 110 });
  });
});

describe('retention', () => {
  it('purges old discrepancy details through the index and keeps the counts', async () => {
    const db = await openStore(tempDb());
    try {
      const handle = createJobHandler(db);
      for (let i = 0; i < 4; i++) {
        const ex = makeExchange({ id: `r${i}`, primaryJson: { a: 1 }, shadowJson: { a: 2 } });
        await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
      }
      const before = await summary(db, 'live');
      expect(await purgeDetails(db, Date.now() + 1000)).toEqual({ discrepancies: 4 });
      expect(await summary(db, 'live')).toEqual(before);
      const count = async (query: ReturnType<typeof sql>) => num((await db.db.all<{ n: unknown }>(query))[0]?.n);
      expect(await count(sql`select count(*) as n from discrepancies`)).toBe(0);
      expect(await count(sql`select count(*) as n from differences`)).toBe(0);
      const plan = await db.db.all<{ detail: string }>(sql`explain query plan select id from discrepancies where created_at < ${Date.now()} order by created_at limit 5000`);
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX discrepancies_created/);
    } finally {
      await db.close();
    }
  });

});
