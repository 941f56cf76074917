/**
 * mirror-target mode distributed, as the istio-mirror overlay runs it: a real `ingress --mode
 * mirror-target` process publishing to BullMQ on Redis, a separate `comparator` process and a
 * `report-api` process on one SQLite file. Copies sent as a mesh's mirror sends them are compared,
 * and the report has exactly the candidate's differences, every copy accounted for.
 */
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { spawnCli, useChildren, type CliProcess } from '../support/cli-process.js';
import { useScope } from '../support/scope.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { json, type SeenRequest, type UpstreamHandler } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const children = useChildren();
/** Three processes start at once with tsx on a shared 2-core machine: generous bounds, no timing claim. */
const READY_MS = 30_000;

/** reviews v1 or v2: v2 changes `rating.color` and adds `rating.scale`. */
function reviews(version: 'v1' | 'v2'): UpstreamHandler {
  return (req, res) => {
    if (req.method === 'POST') return json(res, 201, { created: true });
    const m = /^\/reviews\/(\d+)$/.exec(req.url);
    if (!m) return json(res, 200, { ok: true });
    const id = Number(m[1]);
    const rating = version === 'v1' ? { stars: (id % 5) + 1, color: 'black' } : { stars: (id % 5) + 1, color: 'red', scale: 5 };
    json(res, 200, { id, reviewer: `reviewer-${id}`, rating });
  };
}

/** A copy as Istio's mirror sends it: the Host with `-shadow`, the answer discarded. */
async function mirror(ingress: string, method: 'GET' | 'POST', path: string): Promise<number> {
  const res = await request(`${ingress}${path}`, {
    method,
    headers: { host: 'reviews-shadow:9080', 'x-request-id': `${method} ${path}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: '{"review":1}' } : {}),
  });
  await res.body.dump();
  return res.statusCode;
}

type Summary = { compared: number; matched: number; mismatched: number; skipped: number; dropped: number; shadowErrors: number; skippedByReason: Record<string, number> };
type Endpoints = { endpoints: { endpoint: string; compared: number; mismatched: number; fields: { path: string; mismatches: number; noise: boolean }[] }[] };

const hostsOf = (seen: SeenRequest[]) => [...new Set(seen.map((r) => r.headers.host))];

describe('mirror-target mode, distributed over Redis', () => {
  it('an ingress, a comparator and a report API as processes: exactly the candidate\'s differences, every copy counted', async () => {
    const primary = await scope.upstream(reviews('v1'));
    const shadow = await scope.upstream(reviews('v2'));
    const db = tempDb();
    const queueEnv = { SHADOW_DIFF_REDIS: inject('redisUrl'), SHADOW_DIFF_QUEUE_PREFIX: randomPrefix() };
    const cli = (args: string[]): CliProcess => {
      const p = spawnCli(args, queueEnv);
      children.push(p);
      return p;
    };
    const ingress = cli(['ingress', '--mode', 'mirror-target', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0']);
    const comparator = cli(['comparator', '--db', db]);
    await comparator.ready(READY_MS); // the store is migrated before the report API reads it
    const report = cli(['report-api', '--db', db, '--listen', '127.0.0.1:0']);
    const [ingressPort, reportPort] = await Promise.all([ingress.ready(READY_MS).then((r) => r.port('ingress')), report.ready(READY_MS).then((r) => r.port('report'))]);
    expect(ingress.output()).toMatch(/mode mirror-target/);

    const url = `http://127.0.0.1:${ingressPort}`;
    const ids = Array.from({ length: 12 }, (_, k) => k + 1);
    const statuses = [
      ...(await Promise.all(ids.map((id) => mirror(url, 'GET', `/reviews/${id}`)))),
      ...(await Promise.all([1, 2, 3].map((i) => mirror(url, 'GET', `/health?i=${i}`)))),
      // A write is not sent to the primary (production) a second time: skipped with its reason.
      await mirror(url, 'POST', '/reviews'),
    ];
    expect(statuses).toEqual(statuses.map(() => 202));
    const sent = statuses.length;

    const get = async <T>(path: string) => (await (await request(`http://127.0.0.1:${reportPort}${path}`)).body.json()) as T;
    const summary = await waitFor(() => get<Summary>('/api/v1/summary'), (s) => s.compared + s.skipped + s.dropped >= sent, 30_000, `${sent} copies`);
    expect(summary).toMatchObject({ compared: 15, matched: 3, mismatched: 12, shadowErrors: 0, skipped: 1, dropped: 0, skippedByReason: { unsafe_method: 1 } });
    expect(summary.compared + summary.skipped + summary.dropped).toBe(sent);

    const { endpoints } = await get<Endpoints>('/api/v1/endpoints');
    const byId = endpoints.find((e) => e.endpoint === 'GET /reviews/:id');
    expect(byId).toMatchObject({ compared: 12, mismatched: 12 });
    expect(byId?.fields.map((f) => [f.path, f.mismatches, f.noise])).toEqual([
      ['$.rating.color', 12, false],
      ['$.rating.scale', 12, false],
    ]);
    expect(endpoints.find((e) => e.endpoint === 'GET /health')).toMatchObject({ compared: 3, mismatched: 0 });

    // The baseline without the mesh's suffix, the candidate with it; the write reached neither.
    expect(hostsOf(primary.seen)).toEqual(['reviews:9080']);
    expect(hostsOf(shadow.seen)).toEqual(['reviews-shadow:9080']);
    expect([...primary.seen, ...shadow.seen].filter((r) => r.method === 'POST')).toEqual([]);

    for (const p of [ingress, comparator, report]) p.kill('SIGTERM');
    expect(await Promise.all([ingress, comparator, report].map((p) => p.exited()))).toEqual([0, 0, 0]);
  }, 120_000);
});
