/**
 * mirror-target mode behind a real mirroring proxy: nginx routes clients to the primary and mirrors
 * every request to shadow-diff with the Host suffixed `-shadow`, as Istio's `mirror` does. shadow-diff
 * (the real CLI, `start --mode mirror-target`) asks a baseline v1, the candidate v2 and a second v1
 * itself, and compares. Clients must get the primary's answers whatever shadow-diff does, even dead.
 */
import { Pool, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { spawnCli, useChildren } from '../support/cli-process.js';
import { useNginx } from '../support/nginx.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';
import { json, type SeenRequest, type UpstreamHandler } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const children = useChildren();
const nginx = useNginx();

/** The reviews service: v2 changes `rating.color` and adds `rating.scale`; `servedBy` differs per instance (noise). */
function reviews(version: 'v1' | 'v2', instance: string): UpstreamHandler {
  return (req, res) => {
    const echo = { 'x-request-id': String(req.headers['x-request-id'] ?? ''), 'x-envoy-upstream-service-time': String(Math.floor(Math.random() * 50)) };
    if (req.method === 'POST') return json(res, 201, { created: true }, echo);
    const m = /^\/reviews\/(\d+)$/.exec(req.url);
    if (!m) return json(res, 200, { ok: true }, echo);
    const id = Number(m[1]);
    const rating = version === 'v1' ? { stars: (id % 5) + 1, color: 'black' } : { stars: (id % 5) + 1, color: 'red', scale: 5 };
    // Built from the Host it is sent, like any service that writes absolute links.
    json(res, 200, { id, reviewer: `reviewer-${id}`, servedBy: instance, self: `http://${req.headers.host}/reviews/${id}`, rating }, echo);
  };
}

const v1Answer = (id: number) => ({ id, reviewer: `reviewer-${id}`, servedBy: 'primary', self: `http://reviews/reviews/${id}`, rating: { stars: (id % 5) + 1, color: 'black' } });

/** nginx as Istio would mirror: clients to the primary, a copy to shadow-diff with Host `<host>-shadow`, its answer discarded. */
const mirroringProxy = (primary: string, mirrorTarget: string) => (port: number) => `
  server {
    listen 127.0.0.1:${port};
    location / {
      mirror /mirror;
      proxy_set_header Host $host;
      proxy_pass ${primary};
    }
    location = /mirror {
      internal;
      proxy_pass ${mirrorTarget}$request_uri;
      proxy_set_header Host $host-shadow;
    }
  }`;

interface Sent {
  status: number;
  body: unknown;
}

async function send(proxy: string, method: string, path: string, i: number): Promise<Sent> {
  const res = await request(`${proxy}${path}`, {
    method: method as 'GET',
    headers: {
      host: 'reviews',
      'x-request-id': `req-${method}-${path}-${i}`,
      traceparent: `00-${String(i).padStart(32, '0')}-00f067aa0ba902b7-01`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { body: JSON.stringify({ review: i }) } : {}),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

type Summary = { compared: number; mismatched: number; skipped: number; dropped: number; skippedByReason: Record<string, number> };
type Endpoints = { endpoints: { endpoint: string; compared: number; mismatched: number; fields: { path: string; mismatches: number; noise: boolean }[] }[] };

const byRequestId = (seen: SeenRequest[], id: string) => seen.filter((r) => r.headers['x-request-id'] === id);

describe('mirror-target mode behind nginx mirror', () => {
  it('leaves clients alone, compares what nginx mirrors, finds exactly the candidate\'s changes, and a dead shadow-diff changes nothing', async () => {
    const primary = await scope.upstream(reviews('v1', 'primary'));
    const shadow = await scope.upstream(reviews('v2', 'shadow'));
    const secondary = await scope.upstream(reviews('v1', 'secondary'));
    const sd = spawnCli(['start', '--mode', 'mirror-target', '--primary', primary.url, '--shadow', shadow.url, '--secondary', secondary.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', tempDb()]);
    children.push(sd);
    const bound = await sd.ready();
    const [sdPort, reportPort] = [bound.port('ingress'), bound.port('report')];
    expect(sd.output()).toMatch(/mode mirror-target/);
    const proxy = await nginx(mirroringProxy(primary.url, `http://127.0.0.1:${sdPort}`));

    // Clients: reviews, a health check, and writes.
    const ids = Array.from({ length: 10 }, (_, k) => k + 1);
    for (const id of ids) expect(await send(proxy.url, 'GET', `/reviews/${id}`, id)).toEqual({ status: 200, body: v1Answer(id) });
    for (const i of [1, 2, 3]) expect(await send(proxy.url, 'GET', '/health', i)).toEqual({ status: 200, body: { ok: true } });
    for (const i of [1, 2]) expect(await send(proxy.url, 'POST', '/reviews', i)).toEqual({ status: 201, body: { created: true } });

    const report = `http://127.0.0.1:${reportPort}`;
    const get = async <T>(path: string) => (await (await fetch(report + path)).json()) as T;
    const summary = await waitFor(() => get<Summary>('/api/v1/summary'), (s) => s.compared + s.skipped + s.dropped >= 15, 15_000, '15 exchanges');
    // The writes were not sent to the primary a second time: skipped, counted with their reason.
    expect(summary).toMatchObject({ compared: 13, mismatched: 10, skipped: 2, dropped: 0, skippedByReason: { unsafe_method: 2 } });
    expect(primary.seen.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect([...shadow.seen, ...secondary.seen].filter((r) => r.method === 'POST')).toEqual([]);

    // Exactly v2's changes; servedBy differs on every side and the secondary shows it as noise; `self` is the host echo, undone.
    const { endpoints } = await get<Endpoints>('/api/v1/endpoints');
    const reviewsEndpoint = endpoints.find((e) => e.endpoint === 'GET /reviews/:id');
    expect(reviewsEndpoint).toMatchObject({ compared: 10, mismatched: 10 });
    expect(reviewsEndpoint?.fields.filter((f) => !f.noise).map((f) => [f.path, f.mismatches])).toEqual([
      ['$.rating.color', 10],
      ['$.rating.scale', 10],
    ]);
    expect(reviewsEndpoint?.fields.filter((f) => f.noise).map((f) => f.path)).toEqual(['$.servedBy']);
    expect(endpoints.find((e) => e.endpoint === 'GET /health')).toMatchObject({ compared: 3, mismatched: 0 });

    // Hosts: the shadow as nginx sent it, the primary and the secondary without the suffix; the mesh's headers as received.
    const client = byRequestId(primary.seen, 'req-GET-/reviews/4-4');
    expect(client).toHaveLength(2); // the client's own, through nginx, and shadow-diff's baseline
    const [toShadow] = byRequestId(shadow.seen, 'req-GET-/reviews/4-4');
    const [toSecondary] = byRequestId(secondary.seen, 'req-GET-/reviews/4-4');
    expect(client.map((r) => r.headers.host)).toEqual(['reviews', 'reviews']);
    expect(toShadow?.headers.host).toBe('reviews-shadow');
    expect(toSecondary?.headers.host).toBe('reviews');
    for (const r of [client[1], toShadow, toSecondary]) expect(r?.headers.traceparent).toBe(`00-${'4'.padStart(32, '0')}-00f067aa0ba902b7-01`);

    // shadow-diff dies: nginx's mirror fails on its own, clients see nothing of it.
    sd.kill('SIGKILL');
    await sd.exited();
    const before = primary.seen.length;
    for (const id of ids) expect(await send(proxy.url, 'GET', `/reviews/${id}`, 100 + id)).toEqual({ status: 200, body: v1Answer(id) });
    for (const i of [1, 2]) expect(await send(proxy.url, 'POST', '/reviews', 100 + i)).toEqual({ status: 201, body: { created: true } });
    expect(primary.seen.length - before).toBe(12);
    // The mirror was tried, and refused, for each of them.
    expect(proxy.errorLog().match(/connect\(\) failed \(111: Connection refused\)[^\n]*subrequest: "\/mirror"/g)?.length).toBe(12);
  });

  it('answers nginx at once: a slow shadow does not hold up the next request on a client\'s keep-alive connection', async () => {
    // nginx sends the client its answer without waiting for the mirror, but holds the connection's next
    // request until the mirror subrequest is over: a mirror target that waited on the shadow would delay clients.
    const primary = await scope.upstream(reviews('v1', 'primary'));
    const shadow = await scope.upstream(async (req, res) => {
      await new Promise((r) => setTimeout(r, 3000));
      reviews('v2', 'shadow')(req, res);
    });
    const sd = spawnCli(['start', '--mode', 'mirror-target', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', tempDb()]);
    children.push(sd);
    const sdPort = (await sd.ready()).port('ingress');
    const proxy = await nginx(mirroringProxy(primary.url, `http://127.0.0.1:${sdPort}`));
    const oneConnection = new Pool(proxy.url, { connections: 1, pipelining: 1 });
    scope.defer(() => oneConnection.close());
    const started = performance.now();
    for (const id of [1, 2, 3, 4]) {
      const res = await oneConnection.request({ method: 'GET', path: `/reviews/${id}`, headers: { host: 'reviews' } });
      expect(await res.body.json()).toEqual(v1Answer(id));
    }
    // Four requests behind a 3 s shadow: one such wait would already take 3 s.
    expect(performance.now() - started).toBeLessThan(2500);
    await waitFor(() => shadow.seen.length, (n) => n === 4, 10_000, 'the shadow to get all four');
  });
});
