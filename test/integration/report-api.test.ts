/** The report API through app.inject() and through a real listen: routes, 400s naming the parameter, 404s. */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../libs/store/index.js';
import { binOf, binUpperMs } from '../../libs/store/latency-bins.js';
import { createJobHandler } from '../../services/comparator/handle-job.js';
import { buildReportApp } from '../../services/report-api/report-app.js';
import { makeExchange } from '../support/fixtures.js';
import { tempDb } from '../support/temp.js';

let store: Store;
let app: FastifyInstance;
let ids: string[];
/** What the latency histogram reports for a latency: the upper bound of its bin. */
const at = (ms: number) => binUpperMs(binOf(ms));

beforeAll(async () => {
  store = await openStore(tempDb());
  const handle = createJobHandler(store, {});
  const exchanges = [
    makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } }),
    makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 1 } }),
    makeExchange({ run: 'canary', primaryJson: { b: true }, shadowJson: { b: 'yes' } }),
  ];
  for (const ex of exchanges) await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
  ids = exchanges.map((e) => e.id);
  app = await buildReportApp({ store, defaultRun: 'live' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('report API via inject', () => {
  it('answers healthz', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'ok', queue: 'none' });
  });

  it('summarizes the default run and a named run', async () => {
    expect((await app.inject('/api/v1/summary')).json()).toEqual({
      run: 'live', compared: 2, matched: 1, mismatched: 1, mismatchRate: 0.5, skipped: 0, shadowErrors: 0, dropped: 0,
      skippedByReason: {}, endpointCap: { max: 1000, reached: false },
    });
    expect((await app.inject('/api/v1/summary?run=canary')).json()).toMatchObject({ run: 'canary', compared: 1, mismatched: 1 });
    expect((await app.inject('/api/v1/summary?run=unknown')).json()).toMatchObject({ run: 'unknown', compared: 0, mismatchRate: 0 });
  });

  it('lists endpoints with their fields', async () => {
    expect((await app.inject('/api/v1/endpoints?run=canary')).json()).toEqual({
      run: 'canary',
      endpoints: [
        {
          endpoint: 'GET /users/:id',
          compared: 1,
          mismatched: 1,
          mismatchRate: 1,
          skipped: 0,
          skippedByReason: {},
          shadowErrors: 0,
          comparedWithSecondary: 0,
          byRisk: { high: 1, medium: 0, low: 0 },
          latency: { primary: { p50: at(5), p95: at(5), p99: at(5) }, shadow: { p50: at(6), p95: at(6), p99: at(6) } },
          fields: [{ path: '$.b', mismatches: 1, shadowDiffs: 1, secondaryDiffs: 0, noise: false }],
          rules: [],
        },
      ],
      endpointCap: { max: 1000, reached: false },
    });
  });

  it('lists discrepancies and shows one', async () => {
    const list = (await app.inject('/api/v1/discrepancies')).json();
    expect(list).toMatchObject({ nextCursor: null, items: [{ id: ids[0], run: 'live', endpoint: 'GET /users/:id', method: 'GET', url: '/users/1', primaryStatus: 200, shadowStatus: 200, paths: ['$.a'], risk: 'medium' }] });
    const detail = (await app.inject(`/api/v1/discrepancies/${ids[0]}`)).json();
    expect(detail).toMatchObject({
      id: ids[0],
      request: { method: 'GET', url: '/users/1' },
      primary: { status: 200, body: '{"a":1}', latencyMs: 5 },
      shadow: { status: 200, body: '{"a":2}', error: null },
      differences: [{ path: '$.a', kind: 'value_changed', primary: 1, shadow: 2 }],
    });
  });

  it('filters discrepancies by field and risk on the server', async () => {
    const listed = async (query: string) => ((await app.inject(`/api/v1/discrepancies?${query}`)).json() as { items: { id: string }[] }).items.map((i) => i.id);
    expect(await listed('field=%24.a')).toEqual([ids[0]]);
    expect(await listed('field=%24.b')).toEqual([]);
    expect(await listed('risk=medium')).toEqual([ids[0]]);
    expect(await listed('risk=high')).toEqual([]);
    expect(await listed('run=canary&risk=high&field=%24.b')).toEqual([ids[2]]);
  });

  it.each([
    ['/api/v1/discrepancies?risk=severe', 'risk'],
    ['/api/v1/discrepancies?field=', 'field'],
    ['/api/v1/discrepancies?limit=abc', 'limit'],
    ['/api/v1/discrepancies?limit=0', 'limit'],
    ['/api/v1/discrepancies?limit=100000', 'limit'],
    ['/api/v1/discrepancies?cursor=nonsense', 'cursor'],
    ['/api/v1/discrepancies?colour=red', 'colour'],
    ['/api/v1/summary?run=', 'run'],
    ['/api/v1/summary?run=has%20space', 'run'],
    ['/api/v1/endpoints?run=' + 'x'.repeat(101), 'run'],
  ])('answers 400 naming the parameter for %s', async (url, parameter) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter });
    expect(res.json().message).toContain(parameter);
  });

  it('answers 404 for an unknown discrepancy and an unknown route', async () => {
    const res = await app.inject('/api/v1/discrepancies/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'SD_ERR_NOT_FOUND' });
    expect((await app.inject('/api/v1/nothing')).statusCode).toBe(404);
  });
});

describe('client errors carry the code of what went wrong', () => {
  const gatePost = (headers: Record<string, string>, payload: string) => () => app.inject({ method: 'POST', url: '/api/v1/gate', headers, payload });
  it.each([
    ['an unknown route', () => app.inject('/api/v1/nothing'), 404, 'SD_ERR_NOT_FOUND', 'Not Found'],
    ['an unknown method', () => app.inject({ method: 'DELETE', url: '/api/v1/gate' }), 404, 'SD_ERR_NOT_FOUND', 'Not Found'],
    ['a body over the limit', gatePost({ 'content-type': 'application/json' }, JSON.stringify({ metadata: { x: 'y'.repeat(70_000) } })), 413, 'SD_ERR_PAYLOAD_TOO_LARGE', 'Payload Too Large'],
    ['an XML body', gatePost({ 'content-type': 'application/xml' }, '<metadata/>'), 415, 'SD_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'],
    ['malformed JSON', gatePost({ 'content-type': 'application/json' }, '{"metadata": '), 400, 'SD_ERR_BAD_REQUEST', 'Bad Request'],
    ['an empty JSON body', gatePost({ 'content-type': 'application/json' }, ''), 400, 'SD_ERR_BAD_REQUEST', 'Bad Request'],
    ['a malformed URL', () => app.inject('/api/v1/discrepancies/%E0%A4%A'), 400, 'SD_ERR_BAD_REQUEST', 'Bad Request'],
  ])('%s', async (_label, send, status, code, error) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toMatchObject({ error, code });
    expect(body.message).toEqual(expect.any(String));
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message']);
  });
});

describe('report API via a real listen', () => {
  it('serves the same answers over HTTP', async () => {
    const live = await buildReportApp({ store, defaultRun: 'canary' });
    const url = await live.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await request(`${url}/api/v1/summary`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
      expect(await res.body.json()).toMatchObject({ run: 'canary', compared: 1 });
      const bad = await request(`${url}/api/v1/discrepancies?limit=-1`);
      expect(bad.statusCode).toBe(400);
      expect(await bad.body.json()).toMatchObject({ parameter: 'limit' });
    } finally {
      await live.close();
    }
  });
});
