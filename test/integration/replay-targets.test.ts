/**
 * Replays started through the report API go only to the origins listed in --replay-allow, follow no
 * redirect out of them, and run at most --max-replays at once. Real ingress, store, report API and
 * candidate servers.
 */
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useScope } from '../support/scope.js';
import { json, type SeenRequest } from '../support/upstream.js';
import { sleep, waitFor } from '../support/wait.js';

const scope = useScope();
const ok = (req: SeenRequest, res: ServerResponse) => json(res, 200, { path: req.url });

/** shadow-diff with `n` captured exchanges in run `live`. */
async function captured(n: number, overrides: Record<string, string>) {
  const primary = await scope.upstream(ok);
  const shadow = await scope.upstream(ok);
  const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, overrides);
  for (let i = 1; i <= n; i++) await request(`${h.ingress}/items/${i}`).then((r) => r.body.dump());
  await h.settled(n);
  return h;
}

async function startReplay(report: string, body: Record<string, unknown>) {
  const res = await request(`${report}/api/v1/replays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fromRun: 'live', concurrency: 1, ...body }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { id?: string; code?: string; parameter?: string; message?: string } };
}

const portOf = (url: string) => new URL(url).port;

describe('replay targets of the report API', () => {
  it('allows no target by default', async () => {
    const candidate = await scope.upstream(ok);
    const h = await captured(2, {});
    const r = await startReplay(h.report, { candidate: candidate.url });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'SD_ERR_REPLAY_TARGET_NOT_ALLOWED', parameter: 'candidate' });
    await sleep(200);
    expect(candidate.seen).toHaveLength(0);
  });

  it('replays to a listed origin (202) and refuses every other target before sending anything', async () => {
    const candidate = await scope.upstream(ok);
    const trap = await scope.upstream(ok);
    const port = portOf(candidate.url);
    const h = await captured(3, { replayAllow: `${candidate.url},http://localhost:${portOf(trap.url)}` });

    const accepted = await startReplay(h.report, { candidate: `${candidate.url}/`, run: 'allowed' });
    expect(accepted.status).toBe(202);
    await waitFor(() => h.get<{ status: string }>(`/api/v1/replays/${accepted.body.id}`), (s) => s.status === 'done', 15_000);
    expect(candidate.seen).toHaveLength(3);
    // The same destination in another spelling: WHATWG normalizes 0x7f.1 to 127.0.0.1.
    expect((await startReplay(h.report, { candidate: `http://0x7f.1:${port}` })).status).toBe(202);

    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.5:8080',
      'http://192.168.1.1',
      `https://127.0.0.1:${port}`, // scheme differs
      `http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}`, // port differs
      trap.url, // listed as localhost only: names are not resolved
      `http://0x7f.1:${portOf(trap.url)}`,
      `http://2130706433:${portOf(trap.url)}`,
    ];
    for (const target of refused) {
      const r = await startReplay(h.report, { candidate: target });
      expect(r.status, target).toBe(403);
      expect(r.body, target).toMatchObject({ code: 'SD_ERR_REPLAY_TARGET_NOT_ALLOWED', parameter: 'candidate' });
    }
    const baseline = await startReplay(h.report, { candidate: candidate.url, baseline: 'http://169.254.169.254' });
    expect(baseline.status).toBe(403);
    expect(baseline.body).toMatchObject({ code: 'SD_ERR_REPLAY_TARGET_NOT_ALLOWED', parameter: 'baseline' });

    for (const target of [`http://user:secret@127.0.0.1:${port}`, `http://:secret@127.0.0.1:${port}`]) {
      const r = await startReplay(h.report, { candidate: target });
      expect(r.status, target).toBe(400);
      expect(r.body, target).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter: 'candidate' });
      expect(JSON.stringify(r.body)).not.toContain('secret');
    }
    const notHttp = await startReplay(h.report, { candidate: 'file:///etc/passwd' });
    expect(notHttp).toMatchObject({ status: 400, body: { parameter: 'candidate' } });

    await sleep(200);
    expect(trap.seen).toHaveLength(0);
    const runs = await h.get<{ runs: { run: string }[] }>('/api/v1/runs');
    expect(runs.runs.map((r) => r.run).sort()).toEqual(expect.arrayContaining(['allowed', 'live']));
  });

  it('does not follow a redirect out of the allowed origin', async () => {
    const trap = await scope.upstream(ok);
    const candidate = await scope.upstream((req, res) => {
      res.writeHead(302, { location: `${trap.url}${req.url}`, 'content-length': '0' });
      res.end();
    });
    const h = await captured(2, { replayAllow: candidate.url });
    const r = await startReplay(h.report, { candidate: candidate.url, run: 'redirected' });
    expect(r.status).toBe(202);
    await waitFor(() => h.get<{ status: string }>(`/api/v1/replays/${r.body.id}`), (s) => s.status === 'done', 15_000);
    expect(candidate.seen).toHaveLength(2);
    expect(trap.seen).toHaveLength(0);
  });

  it('runs at most --max-replays at once (default 2) and answers 429 past it', async () => {
    const held: ServerResponse[] = [];
    const slow = await scope.upstream((req, res) => {
      held.push(res);
    });
    const h = await captured(2, { replayAllow: slow.url });
    const first = await startReplay(h.report, { candidate: slow.url });
    const second = await startReplay(h.report, { candidate: slow.url });
    expect([first.status, second.status]).toEqual([202, 202]);
    await waitFor(() => slow.seen.length, (n) => n >= 2, 10_000, 'both replays sending');
    const third = await startReplay(h.report, { candidate: slow.url });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'SD_ERR_TOO_MANY_REPLAYS' });

    // Let them finish: the slots come back.
    const release = () => {
      for (const res of held.splice(0)) json(res, 200, { ok: true });
    };
    const done = (id: string | undefined) =>
      waitFor(
        () => {
          release();
          return h.get<{ status: string }>(`/api/v1/replays/${id}`);
        },
        (s) => s.status === 'done',
        15_000,
      );
    await done(first.body.id);
    await done(second.body.id);
    const again = await startReplay(h.report, { candidate: slow.url });
    expect(again.status).toBe(202);
    await done(again.body.id);
  });
});
