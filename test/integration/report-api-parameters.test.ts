/**
 * Every numeric (and date/duration) parameter of the report API, through app.inject(): finite, in
 * range, plain decimal, or a 400 naming it. Values the parsers must still accept are checked too.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { openStore, type Store } from '../../libs/store/index.js';
import { createJobHandler } from '../../services/comparator/handle-job.js';
import { buildReportApp } from '../../services/report-api/report-app.js';
import { makeExchange } from '../support/fixtures.js';
import { tempDb } from '../support/temp.js';

let store: Store;
let queue: JobQueue;
let app: FastifyInstance;

beforeAll(async () => {
  store = await openStore(tempDb());
  const handle = createJobHandler(store, {});
  // live: 4 compared, all mismatched — any gate that passes here was fooled.
  for (let i = 0; i < 4; i++) {
    const ex = makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
  }
  queue = createEmbeddedQueue({ maxBacklog: 10 });
  app = await buildReportApp({ store, defaultRun: 'live', replays: { publisher: queue.publisher, captureMaxBytes: 1024, targets: { allow: [], maxConcurrent: 2 } } });
});
afterAll(async () => {
  await app.close();
  await queue.close();
  await store.close();
});

const BAD_RATES = ['Infinity', '-Infinity', '1e309', 'NaN', ' ', '', '0x1', '0b1', '-0.1', '1.5', '1,5', ' 0.1', '0.1 ', '+0.5', '[]'];
const BAD_COUNTS = ['Infinity', '1e309', '1e3', '0x10', '0o10', '1.5', '-1', ' ', '', ' 5', '5 ', '+5', '99999999999999999999'];
const BAD_INSTANTS = ['P99999999999999999999D', 'PT99999999999999999999S', 'P999999999D', '', ' ', 'yesterday', '2026-02-30T00:00:00Z'];

const GATE = 'maxMismatchRate=0.5&minSamples=1';
const query = (base: string, name: string, value: string) => `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;

type Case = [label: string, parameter: string, send: () => Promise<LightMyRequestResponse>];
const cases: Case[] = [];
const get = (url: string) => () => app.inject(url);
const post = (url: string, payload: string) => () => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });

for (const v of BAD_RATES) {
  cases.push([`gate maxMismatchRate=${JSON.stringify(v)}`, 'maxMismatchRate', get(query('/api/v1/gate?minSamples=1', 'maxMismatchRate', v))]);
  cases.push([`gate maxEndpointMismatchRate=${JSON.stringify(v)}`, 'maxEndpointMismatchRate', get(query(`/api/v1/gate?${GATE}`, 'maxEndpointMismatchRate', v))]);
  const metadata = JSON.stringify({ maxMismatchRate: v, minSamples: '1' });
  cases.push([`webhook metadata.maxMismatchRate=${JSON.stringify(v)}`, 'metadata.maxMismatchRate', post('/api/v1/gate', `{"metadata":${metadata}}`)]);
}
for (const v of [...BAD_COUNTS, '0']) {
  cases.push([`gate minSamples=${JSON.stringify(v)}`, 'minSamples', get(query('/api/v1/gate?maxMismatchRate=0.5', 'minSamples', v))]);
  const metadata = JSON.stringify({ maxMismatchRate: '0.5', minSamples: v });
  cases.push([`webhook metadata.minSamples=${JSON.stringify(v)}`, 'metadata.minSamples', post('/api/v1/gate', `{"metadata":${metadata}}`)]);
  cases.push([`discrepancies limit=${JSON.stringify(v)}`, 'limit', get(query('/api/v1/discrepancies', 'limit', v))]);
}
cases.push(['discrepancies limit=501', 'limit', get('/api/v1/discrepancies?limit=501')]);
cases.push(['discrepancies limit given twice', 'limit', get('/api/v1/discrepancies?limit=1&limit=2')]);
cases.push(['gate minSamples given twice', 'minSamples', get('/api/v1/gate?maxMismatchRate=0.5&minSamples=1&minSamples=2')]);
for (const v of BAD_INSTANTS) {
  for (const route of ['/api/v1/summary', '/api/v1/endpoints', '/api/v1/discrepancies', `/api/v1/gate?${GATE}`]) {
    for (const name of ['since', 'until']) cases.push([`${route.split('?')[0]} ${name}=${JSON.stringify(v)}`, name, get(query(route, name, v))]);
  }
  const metadata = JSON.stringify({ maxMismatchRate: '0.5', minSamples: '1', since: v });
  cases.push([`webhook metadata.since=${JSON.stringify(v)}`, 'metadata.since', post('/api/v1/gate', `{"metadata":${metadata}}`)]);
}
const replay = (field: string, literal: string) => `{"fromRun":"live","candidate":"http://127.0.0.1:9","${field}":${literal}}`;
for (const literal of ['1e309', '-1e309', '0', '-1', '1e-300', '1e9', '"0x10"', '"Infinity"', '" "', '""', '"5"', 'null']) {
  cases.push([`replay rate=${literal}`, 'rate', post('/api/v1/replays', replay('rate', literal))]);
}
for (const literal of ['1e309', '0', '1.5', '257', '-1', '"0x10"', '"8 "', '"8"', '""', 'null']) {
  cases.push([`replay concurrency=${literal}`, 'concurrency', post('/api/v1/replays', replay('concurrency', literal))]);
}

describe('numeric and time parameters of the report API', () => {
  it.each(cases)('%s answers 400 naming %s', async (_label, parameter, send) => {
    const res = await send();
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter });
    expect(res.json().message).toContain(parameter);
  });

  it('never passes the gate at 100 % mismatches, whatever the threshold spelling', async () => {
    for (const v of ['Infinity', '1e309', '1e400', ' ', '0x1']) {
      const res = await app.inject(query('/api/v1/gate?minSamples=1', 'maxMismatchRate', v));
      expect(res.statusCode, v).toBe(400);
    }
    expect((await app.inject('/api/v1/gate?maxMismatchRate=0.99&minSamples=1')).json().data.verdict).toBe('fail');
  });

  it.each([
    ['/api/v1/gate?maxMismatchRate=0&minSamples=1', 'fail'],
    ['/api/v1/gate?maxMismatchRate=1&minSamples=1', 'pass'],
    ['/api/v1/gate?maxMismatchRate=1.0&minSamples=4', 'pass'],
    ['/api/v1/gate?maxMismatchRate=1e-3&minSamples=1&maxEndpointMismatchRate=0.25', 'fail'],
    ['/api/v1/gate?maxMismatchRate=0.5&minSamples=5', 'inconclusive'],
    ['/api/v1/gate?maxMismatchRate=1&minSamples=1&since=PT30M&until=2999-01-01T00:00:00Z', 'pass'],
  ])('still accepts %s', async (url, verdict) => {
    const res = await app.inject(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.verdict).toBe(verdict);
  });

  it('still accepts well-formed counts, windows and webhook metadata', async () => {
    const list = await app.inject('/api/v1/discrepancies?limit=500&since=P1D');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toHaveLength(4);
    expect((await app.inject('/api/v1/discrepancies?limit=1')).json().items).toHaveLength(1);
    const hook = await app.inject({ method: 'POST', url: '/api/v1/gate', payload: { metadata: { maxMismatchRate: '1', minSamples: '4', since: 'PT1H' } } });
    expect(hook.statusCode, hook.body).toBe(200);
  });
});
