/** Unique paths cannot grow the endpoints without bound: past --max-endpoints they count under OTHER. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { openStore, runEndpoints, summary } from '../../libs/store/index.js';
import { createEndpointCap } from '../../services/comparator/endpoint-cap.js';
import { createJobHandler } from '../../services/comparator/handle-job.js';
import { makeExchange } from '../support/fixtures.js';
import { json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';

const scope = useScope();

interface Endpoints {
  endpoints: { endpoint: string; compared: number }[];
  endpointCap: { max: number; reached: boolean };
}

describe('--max-endpoints', () => {
  it('counts new templates past the cap under OTHER; known endpoints keep counting; the report says the cap was reached', async () => {
    const upstream = await scope.upstream((req, res) => json(res, 200, { path: req.url }));
    const h = await scope.harness('embedded', { primary: upstream.url, shadow: upstream.url }, { maxEndpoints: '3' });
    const words = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig', 'grape'];
    for (const w of words) await request(`${h.ingress}/search/${w}`).then((r) => r.body.dump());
    for (const w of ['apple', 'banana']) await request(`${h.ingress}/search/${w}`).then((r) => r.body.dump());
    const s = await h.settled(9);
    expect(s).toMatchObject({ compared: 9, endpointCap: { max: 3, reached: true } });

    const e = await h.get<Endpoints>('/api/v1/endpoints');
    const counts = Object.fromEntries(e.endpoints.map((x) => [x.endpoint, x.compared]));
    expect(counts).toEqual({ 'GET /search/apple': 2, 'GET /search/banana': 2, 'GET /search/cherry': 1, OTHER: 4 });
    expect(e.endpointCap).toEqual({ max: 3, reached: true });
  });

  it('says the cap is not reached below it', async () => {
    const upstream = await scope.upstream((req, res) => json(res, 200, { path: req.url }));
    const h = await scope.harness('embedded', { primary: upstream.url, shadow: upstream.url }, { maxEndpoints: '3' });
    for (const w of ['a', 'b']) await request(`${h.ingress}/search/${w}`).then((r) => r.body.dump());
    expect(await h.settled(2)).toMatchObject({ endpointCap: { max: 3, reached: false } });
    expect((await h.get<Endpoints>('/api/v1/endpoints')).endpoints.map((x) => x.endpoint)).not.toContain('OTHER');
  });

  it('gives a template its own name whichever of its concurrent jobs admits it, never OTHER once it is in', async () => {
    const store = await openStore(tempDb());
    scope.defer(() => store.close());
    const cap = createEndpointCap(store, 2);
    // Jobs of one comparator run concurrently: the same new template can reach the cap twice at once.
    const names = await Promise.all(['GET /a', 'GET /b', 'GET /a', 'GET /b', 'GET /c', 'GET /a'].map((t) => cap('live', t)));
    expect(names).toEqual(['GET /a', 'GET /b', 'GET /a', 'GET /b', 'OTHER', 'GET /a']);
  });

  it('holds across comparator restarts and between comparators sharing one store, exactly', async () => {
    const file = tempDb();
    const one = await openStore(file);
    const two = await openStore(file);
    scope.defer(async () => {
      await one.close();
      await two.close();
    });
    const seed = async (handle: ReturnType<typeof createJobHandler>, path: string) => {
      const ex = makeExchange({ id: `${path}-${Math.random()}` });
      ex.request.url = path;
      await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
    };
    const a = createJobHandler(one, { maxEndpoints: 4 });
    const b = createJobHandler(two, { maxEndpoints: 4 });
    // Two comparators admit new templates in turn; each has cached what it saw first.
    for (const w of ['p', 'q']) await seed(a, `/s/${w}`);
    for (const w of ['r', 's', 't']) await seed(b, `/s/${w}`);
    for (const w of ['u', 'v']) await seed(a, `/s/${w}`);
    // A restarted comparator knows the endpoints from the store.
    const three = await openStore(file);
    scope.defer(() => three.close());
    const restarted = createJobHandler(three, { maxEndpoints: 4 });
    await seed(restarted, '/s/w');
    await seed(restarted, '/s/p');
    expect(await runEndpoints(one, 'live')).toEqual(['GET /s/p', 'GET /s/q', 'GET /s/r', 'GET /s/s', 'OTHER']);
    expect(await summary(one, 'live', { maxEndpoints: 4 })).toMatchObject({ compared: 9, endpointCap: { max: 4, reached: true } });
  });
});
