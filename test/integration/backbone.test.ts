/**
 * The whole path through real HTTP: client -> ingress -> primary (+ shadow) -> queue -> comparator
 * -> store -> report API, over both queue implementations.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { QUEUE_KINDS } from '../support/harness.js';
import { closedPortUrl, json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { sleep, waitFor } from '../support/wait.js';

const PRIMARY_BODY = Buffer.from('{"id":7,"name":"ada","score":10}');

describe.each(QUEUE_KINDS)('backbone over the %s queue', (kind) => {
  const scope = useScope();
  const upstream = scope.upstream;
  const harness = (primary: string, shadow: string, overrides: Parameters<typeof scope.harness>[2] = {}) =>
    scope.harness(kind, { primary, shadow }, overrides);

  /** The primary: a fixed response with headers that must reach the client untouched. */
  const primaryHandler = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-primary': 'yes', 'set-cookie': ['a=1', 'b=2'], 'content-length': PRIMARY_BODY.length });
    res.end(PRIMARY_BODY);
  };

  async function expectPrimaryResponse(url: string): Promise<number> {
    const started = performance.now();
    const res = await request(url);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-primary']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(body.equals(PRIMARY_BODY)).toBe(true);
    return performance.now() - started;
  }

  it('gives the client the primary response while the shadow is slow, and records a shadow timeout', async () => {
    const primary = await upstream(primaryHandler);
    const shadow = await upstream(async (_req, res) => {
      await sleep(3000);
      json(res, 201, { id: 7 });
    });
    const h = await harness(primary.url, shadow.url, { shadowTimeoutMs: '400ms' });
    const elapsed = await expectPrimaryResponse(`${h.ingress}/users/7`);
    expect(elapsed).toBeLessThan(1000); // the shadow takes 3 s: the client did not wait for it
    const s = await h.settled(1);
    expect(s).toMatchObject({ compared: 1, mismatched: 1, shadowErrors: 1 });
    const list = await h.get<{ items: { id: string }[] }>('/api/v1/discrepancies');
    const detail = await h.get<{ shadow: { error: string | null } }>(`/api/v1/discrepancies/${list.items[0]?.id}`);
    expect(detail.shadow.error).toMatch(/^timeout:/);
  });

  it.each([
    ['answers 500', 'status', (res: import('node:http').ServerResponse) => json(res, 500, { error: 'boom' })],
    ['resets the connection', 'reset', (res: import('node:http').ServerResponse) => res.socket?.destroy()],
  ] as const)('gives the client the primary response while the shadow %s', async (_name, _what, fail) => {
    const primary = await upstream(primaryHandler);
    const shadow = await upstream((_req, res) => {
      fail(res);
    });
    const h = await harness(primary.url, shadow.url);
    for (let i = 0; i < 3; i++) await expectPrimaryResponse(`${h.ingress}/users/${i}`);
    const s = await h.settled(3);
    expect(s).toMatchObject({ compared: 3, mismatched: 3, shadowErrors: 3, matched: 0 });
  });

  it('gives the client the primary response while the shadow is down', async () => {
    const primary = await upstream(primaryHandler);
    const h = await harness(primary.url, await closedPortUrl());
    await expectPrimaryResponse(`${h.ingress}/users/1`);
    const s = await h.settled(1);
    expect(s).toMatchObject({ compared: 1, mismatched: 1, shadowErrors: 1 });
    const list = await h.get<{ items: { id: string }[] }>('/api/v1/discrepancies');
    const detail = await h.get<{ shadow: { error: string } }>(`/api/v1/discrepancies/${list.items[0]?.id}`);
    expect(detail.shadow.error).toMatch(/^connection_refused:/);
  });

  it('mirrors only GET, HEAD and OPTIONS by default, and listed methods when configured', async () => {
    const primary = await upstream((req, res) => json(res, 200, { echo: req.body.toString() }));
    const shadow = await upstream((req, res) => json(res, 200, { echo: req.body.toString() }));
    const h = await harness(primary.url, shadow.url);
    const post = await request(`${h.ingress}/orders`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect(await post.body.json()).toEqual({ echo: 'payload' });
    await request(`${h.ingress}/orders`).then((r) => r.body.dump());
    await h.settled(1);
    expect(primary.seen.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(shadow.seen.map((r) => r.method)).toEqual(['GET']);

    const h2 = await harness(primary.url, shadow.url, { mirrorMethods: 'GET,POST' });
    const res = await request(`${h2.ingress}/orders`, { method: 'POST', body: 'second', headers: { 'content-type': 'text/plain' } });
    await res.body.dump();
    const s = await h2.settled(1);
    expect(s).toMatchObject({ compared: 1, matched: 1 });
    expect(shadow.seen.at(-1)).toMatchObject({ method: 'POST' });
    expect(shadow.seen.at(-1)?.body.toString()).toBe('second');
  });

  it("suffixes the client's Host for the shadow, keeping the port, and can be disabled", async () => {
    const primary = await upstream((_req, res) => json(res, 200, {}));
    const shadow = await upstream((_req, res) => json(res, 200, {}));
    const h = await harness(primary.url, shadow.url);
    await request(`${h.ingress}/x`, { headers: { host: 'reviews:9080' } }).then((r) => r.body.dump());
    await request(`${h.ingress}/y`, { headers: { host: 'reviews' } }).then((r) => r.body.dump());
    await h.settled(2);
    expect(primary.seen.map((r) => r.headers.host)).toEqual(['reviews:9080', 'reviews']);
    expect(shadow.seen.map((r) => r.headers.host).sort()).toEqual(['reviews-shadow', 'reviews-shadow:9080']);

    const custom = await harness(primary.url, shadow.url, { shadowHostSuffix: '' });
    await request(`${custom.ingress}/z`, { headers: { host: 'reviews:9080' } }).then((r) => r.body.dump());
    await custom.settled(1);
    expect(shadow.seen.at(-1)?.headers.host).toBe('reviews:9080');
  });

  it('samples the mirrored share with --mirror-percent', async () => {
    const primary = await upstream((_req, res) => json(res, 200, { ok: true }));
    const shadow = await upstream((_req, res) => json(res, 200, { ok: true }));
    const none = await harness(primary.url, shadow.url, { mirrorPercent: '0' });
    for (let i = 0; i < 40; i++) await request(`${none.ingress}/a/${i}`).then((r) => r.body.dump());
    expect(primary.seen).toHaveLength(40);
    expect(shadow.seen).toHaveLength(0);

    const half = await harness(primary.url, shadow.url, { mirrorPercent: '50' });
    const n = 300;
    for (let i = 0; i < n; i++) await request(`${half.ingress}/b/${i}`).then((r) => r.body.dump());
    await sleep(300);
    const mirrored = shadow.seen.length;
    // Binomial(300, 0.5): mean 150, sd 8.7; these bounds are 6 sd away.
    expect(mirrored).toBeGreaterThan(98);
    expect(mirrored).toBeLessThan(202);
    const s = await half.settled(mirrored);
    expect(s.compared).toBe(mirrored);
  });

  it('reports counts per endpoint and field, and the evidence of each discrepancy, with secrets redacted', async () => {
    const primary = await upstream((req, res) => {
      const id = Number.parseInt(req.url.split('/')[2] ?? '', 10);
      json(res, 200, { id, name: `user ${id}`, tags: ['a', 'b'], plan: 'free' });
    });
    const shadow = await upstream((req, res) => {
      const id = Number.parseInt(req.url.split('/')[2] ?? '', 10);
      // Users with an even id regress: the plan changes and a tag moves.
      if (req.url.startsWith('/users/') && id % 2 === 0) json(res, 200, { tags: ['a', 'c'], id, name: `user ${id}`, plan: 'pro' });
      else json(res, 200, { plan: 'free', tags: ['a', 'b'], name: `user ${id}`, id });
    });
    const h = await harness(primary.url, shadow.url);
    for (let i = 1; i <= 6; i++) {
      await request(`${h.ingress}/users/${i}?verbose=1`, { headers: { authorization: 'Bearer secret-token', cookie: 'sid=secret' } }).then((r) =>
        r.body.dump(),
      );
    }
    for (let i = 1; i <= 4; i++) await request(`${h.ingress}/teams/${i}`).then((r) => r.body.dump());
    const s = await h.settled(10);
    expect(s).toEqual({ run: 'live', compared: 10, matched: 7, mismatched: 3, mismatchRate: 0.3, skipped: 0, shadowErrors: 0, dropped: 0, skippedByReason: {}, endpointCap: { max: 1000, reached: false } });

    const { endpoints } = await h.get<{ endpoints: { endpoint: string; compared: number; mismatched: number; mismatchRate: number; fields: { path: string; mismatches: number }[] }[] }>(
      '/api/v1/endpoints',
    );
    // The fields, exactly; later fields (risk, noise, rules) are checked in the diff-engine tests.
    expect(
      endpoints.map(({ endpoint, compared, mismatched, mismatchRate, fields }) => ({
        endpoint,
        compared,
        mismatched,
        mismatchRate,
        fields: fields.map(({ path, mismatches }) => ({ path, mismatches })),
      })),
    ).toEqual([
      {
        endpoint: 'GET /users/:id',
        compared: 6,
        mismatched: 3,
        mismatchRate: 0.5,
        fields: [
          { path: '$.plan', mismatches: 3 },
          { path: '$.tags[*]', mismatches: 3 },
        ],
      },
      { endpoint: 'GET /teams/:id', compared: 4, mismatched: 0, mismatchRate: 0, fields: [] },
    ]);

    const list = await h.get<{ items: { id: string; endpoint: string; url: string; paths: string[]; primaryStatus: number; shadowStatus: number }[]; nextCursor: string | null }>(
      '/api/v1/discrepancies?endpoint=' + encodeURIComponent('GET /users/:id'),
    );
    expect(list.items).toHaveLength(3);
    expect(list.nextCursor).toBeNull();
    expect(list.items.map((i) => i.url).sort()).toEqual(['/users/2?verbose=1', '/users/4?verbose=1', '/users/6?verbose=1']);
    expect(list.items[0]?.paths.sort()).toEqual(['$.plan', '$.tags[1]']);

    const detail = await h.get<{
      request: { headers: Record<string, string> };
      primary: { status: number; body: string; latencyMs: number };
      shadow: { status: number; body: string };
      differences: { path: string; kind: string; primary: unknown; shadow: unknown }[];
    }>(`/api/v1/discrepancies/${list.items[0]?.id}`);
    expect(detail.request.headers.authorization).toBe('[REDACTED]');
    expect(detail.request.headers.cookie).toBe('[REDACTED]');
    expect(JSON.stringify(detail)).not.toContain('secret');
    expect(JSON.parse(detail.primary.body)).toMatchObject({ plan: 'free' });
    expect(JSON.parse(detail.shadow.body)).toMatchObject({ plan: 'pro' });
    expect(detail.primary.latencyMs).toBeGreaterThan(0);
    expect(detail.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.plan', kind: 'value_changed', primary: 'free', shadow: 'pro' }),
        expect.objectContaining({ path: '$.tags[1]', kind: 'value_changed', primary: 'b', shadow: 'c' }),
      ]),
    );
  });

  it('passes a body above the capture limit whole to the client and records the pair as skipped', async () => {
    const big = Buffer.alloc(64 * 1024, 'x');
    const primary = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(big);
    });
    const shadow = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(big);
    });
    const h = await harness(primary.url, shadow.url, { captureMaxBytes: '1KiB' });
    const res = await request(`${h.ingress}/export`);
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(body.equals(big)).toBe(true);
    const s = await h.settled(1);
    expect(s).toMatchObject({ compared: 0, skipped: 1 });
  });

  it('drops and counts pairs past the shadow in-flight bound', async () => {
    const primary = await upstream((_req, res) => json(res, 200, { ok: 1 }));
    const shadow = await upstream(async (_req, res) => {
      await sleep(500);
      json(res, 200, { ok: 1 });
    });
    const h = await harness(primary.url, shadow.url, { shadowMaxInFlight: '2' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => request(`${h.ingress}/p/${i}`).then((r) => r.body.dump())));
    const s = await h.settled(6);
    expect(s).toMatchObject({ compared: 2, matched: 2, dropped: 4 });
  });

  it('keeps proxying when the primary is down, answering 502 and counting the pair as skipped', async () => {
    const shadow = await upstream((_req, res) => json(res, 200, {}));
    const h = await harness(await closedPortUrl(), shadow.url);
    const res = await request(`${h.ingress}/anything`);
    expect(res.statusCode).toBe(502);
    expect(await res.body.json()).toMatchObject({ code: 'SD_ERR_PRIMARY_UNREACHABLE' });
    const s = await h.settled(1);
    expect(s).toMatchObject({ compared: 0, skipped: 1 });
    await waitFor(() => shadow.seen.length, (n) => n === 1, 2000, 'the shadow still got its copy');
  });
});
