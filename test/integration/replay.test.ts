/** Capture and replay through real processes and servers: captured runs, HAR and GoReplay files, rate, concurrency, redaction, export, the API. */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { toHar } from '../../libs/replay/formats/har-writer.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { spawnCli } from '../support/cli-process.js';
import { linkedService } from '../support/linked-service.js';
import { closedPortUrl, json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const upstream = scope.upstream;

const idOf = (url: string) => Number.parseInt(url.split('/')[2] ?? '0', 10);
/** v1 of a small API; v2 changes the price of every third item. */
const version = (v: 1 | 2) => (req: { url: string; method: string }, res: import('node:http').ServerResponse) =>
  json(res, 200, { id: idOf(req.url), method: req.method, price: v === 2 && idOf(req.url) % 3 === 0 ? 11 : 10 });

function rows<T>(db: string, sql: string): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all() as T[];
  } finally {
    conn.close();
  }
}

function tempFile(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-replay-')), name);
  writeFileSync(file, content);
  return file;
}

async function replay(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string; result: Record<string, number | string> | null }> {
  const { code, output } = await runCliInProcess(['replay', ...args], env);
  const last = output.trim().split('\n').pop() ?? '';
  let result = null;
  try {
    result = JSON.parse(last);
  } catch {
    // not a JSON line
  }
  return { code, output, result };
}

/** Live traffic through the ingress, captured; returns the harness and its store file. */
async function captureLive(n: number, overrides: Parameters<typeof scope.harness>[2] = {}) {
  const primary = await upstream(version(1));
  const shadow = await upstream(version(1));
  const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, overrides);
  for (let i = 1; i <= n; i++) {
    await request(`${h.ingress}/items/${i}`, { headers: { authorization: 'Bearer live-secret', 'x-api-key': 'k-secret' } }).then((r) => r.body.dump());
  }
  await h.settled(n);
  return h;
}

describe('capture', () => {
  it('keeps each mirrored exchange for replay, redacted, within its bound', async () => {
    const primary = await upstream((req, res) => json(res, 200, { id: idOf(req.url), token: 'resp-secret', ok: true }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { redactHeaders: 'x-api-key', redactJsonPaths: '$..token,$.password', mirrorMethods: 'GET,POST', captureMax: '5' });
    for (let i = 1; i <= 3; i++) {
      await request(`${h.ingress}/items/${i}`, {
        method: 'POST',
        headers: { authorization: 'Bearer live-secret', 'x-api-key': 'k-secret', 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'hunter2', qty: i }),
      }).then((r) => r.body.dump());
    }
    await h.settled(3);
    const captured = rows<{ request: string; response: string }>(h.db, 'select request, response from captures order by received_at');
    expect(captured).toHaveLength(3);
    const req = JSON.parse(captured[0]?.request as string);
    expect(req.headers.authorization).toBe('[REDACTED]');
    expect(req.headers['x-api-key']).toBe('[REDACTED]');
    expect(JSON.parse(Buffer.from(req.body, 'base64').toString())).toEqual({ password: expect.stringMatching(/^\[REDACTED:[0-9a-f]{12}\]$/), qty: 1 });
    const res = JSON.parse(captured[0]?.response as string);
    expect(JSON.parse(Buffer.from(res.body, 'base64').toString())).toEqual({ id: 1, token: expect.stringMatching(/^\[REDACTED:[0-9a-f]{12}\]$/), ok: true });
    // Nothing secret anywhere in the store file.
    const dump = rows<{ t: string }>(h.db, "select request || coalesce(response, '') as t from captures").map((r) => r.t).join();
    expect(dump).not.toMatch(/secret|hunter2/);
  });
});

describe('replay', () => {
  it('replays a captured run against a candidate, with the expected mismatches, into a replay run', async () => {
    const h = await captureLive(12);
    const candidate = await upstream(version(2));
    const { code, result } = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'replay-a', '--json']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ run: 'replay-a', sent: 12, compared: 12, mismatched: 4, skipped: 0, errors: 0 });
    expect(candidate.seen).toHaveLength(12);
    expect(candidate.seen[0]?.headers.host).toBe(new URL(candidate.url).host);
    const runs = await h.get<{ runs: { run: string; kind: string; mismatched: number }[] }>('/api/v1/runs');
    expect(runs.runs.find((r) => r.run === 'replay-a')).toMatchObject({ kind: 'replay', mismatched: 4 });
    const endpoints = await h.get<{ endpoints: { fields: { path: string }[] }[] }>('/api/v1/endpoints?run=replay-a');
    expect(endpoints.endpoints[0]?.fields.map((f) => f.path)).toEqual(['$.price']);
  });

  it('compares against a live baseline: an A/A replay finds nothing', async () => {
    const h = await captureLive(6);
    const a = await upstream(version(1));
    const b = await upstream(version(1));
    const { code, result } = await replay(['--db', h.db, '--from-run', 'live', '--candidate', a.url, '--baseline', b.url, '--run', 'aa', '--json']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ sent: 6, compared: 6, mismatched: 0 });
    expect(b.seen).toHaveLength(6);
  });

  it('replays a HAR file, its recorded responses as the baseline', async () => {
    const entries = [1, 2, 3, 4, 5, 6].map((i) => ({
      request: { method: 'GET', url: `/items/${i}`, headers: { host: 'shop.example', accept: 'application/json' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
      response: (() => {
        const bytes = Buffer.from(JSON.stringify({ id: i, method: 'GET', price: 10 }));
        return { status: 200, headers: { 'content-type': 'application/json' }, body: { bytes, size: bytes.length, truncated: false }, latencyMs: 3 };
      })(),
      startedAt: Date.parse('2026-11-20T10:00:00Z') + i,
      origin: 'https://shop.example',
    }));
    const har = tempFile('traffic.har', JSON.stringify(toHar(entries)));
    const candidate = await upstream(version(2));
    const db = tempDb();
    const { code, result } = await replay(['--db', db, '--har', har, '--candidate', candidate.url, '--run', 'har-1', '--json']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ sent: 6, compared: 6, mismatched: 2 }); // items 3 and 6
  });

  it('replays a gzipped GoReplay file and reports its malformed record without stopping', async () => {
    const record = (type: number, id: string, message: string) => `${type} ${id} 1732442400000000000 0\n${message}\n🐵🙈🙉\n`;
    const body = (i: number) => JSON.stringify({ id: i, method: 'GET', price: 10 });
    const gor = [1, 2, 3]
      .map((i) =>
        record(1, `r${i}`, `GET /items/${i} HTTP/1.1\r\nHost: shop.example\r\n\r\n`) +
        record(2, `r${i}`, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body(i).length}\r\n\r\n${body(i)}`),
      )
      .join('') + record(1, 'bad', 'NOT AN HTTP REQUEST LINE\r\n\r\n');
    const file = tempFile('traffic.gor.gz', gzipSync(gor));
    const candidate = await upstream(version(2));
    const { code, result, output } = await replay(['--db', tempDb(), '--gor', file, '--candidate', candidate.url, '--json']);
    expect(code).toBe(0);
    expect(output).toMatch(/malformed record 7/);
    expect(result).toMatchObject({ sent: 3, compared: 3, mismatched: 1 }); // item 3
    expect(String(result?.run)).toMatch(/^replay-\d{8}T\d{6}Z$/);
  });

  it('replays the bundled HAR and GoReplay fixtures', async () => {
    const candidate = await upstream((req, res) => json(res, 200, { path: req.url }));
    const fixtures = new URL('../fixtures/replay/', import.meta.url).pathname;
    for (const [flag, file] of [['--har', 'sample.har'], ['--gor', 'sample.gor'], ['--gor', 'sample.gor.gz']]) {
      const { code, result, output } = await replay(['--db', tempDb(), flag as string, fixtures + file, '--candidate', candidate.url, '--allow-unsafe', '--json']);
      expect(code, `${file}: ${output}`).toBe(0);
      expect(Number(result?.sent), file).toBeGreaterThan(0);
      expect(output, file).toMatch(/malformed record/);
    }
  });

  it('skips and counts unsafe methods unless allowed', async () => {
    const candidate = await upstream(version(1));
    const entries = ['GET', 'POST', 'DELETE', 'HEAD'].map((method, i) => ({
      request: { method, url: `/items/${i}`, headers: { host: 'x' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
      response: { status: 200, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false }, latencyMs: 1 },
      startedAt: Date.now(),
      origin: 'http://x',
    }));
    const har = tempFile('unsafe.har', JSON.stringify(toHar(entries)));
    const safe = await replay(['--db', tempDb(), '--har', har, '--candidate', candidate.url, '--json']);
    expect(safe.result).toMatchObject({ sent: 2, skipped: 2 });
    expect(candidate.seen.map((r) => r.method).sort()).toEqual(['GET', 'HEAD']);
    const all = await replay(['--db', tempDb(), '--har', har, '--candidate', candidate.url, '--allow-unsafe', '--json']);
    expect(all.result).toMatchObject({ sent: 4, skipped: 0 });
  });

  it('holds the rate and bounds the concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const arrivals: number[] = [];
    const candidate = await upstream((req, res) => {
      arrivals.push(performance.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        version(1)(req, res);
      }, 60);
    });
    const h = await captureLive(10);
    const bounded = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--concurrency', '2', '--json']);
    expect(bounded.result).toMatchObject({ sent: 10 });
    expect(maxInFlight).toBe(2);
    arrivals.length = 0;
    maxInFlight = 0;
    const paced = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--rate', '20', '--concurrency', '10', '--json']);
    expect(paced.result).toMatchObject({ sent: 10 });
    // 10 requests at 20/s start over 450 ms; unpaced, with 10 in flight, they would all arrive at once.
    const spread = (arrivals.at(-1) as number) - (arrivals[0] as number);
    expect(spread).toBeGreaterThan(350);
    expect(maxInFlight).toBeLessThan(10);
  });

  it('stops cleanly on Ctrl-C and keeps what was compared', async () => {
    const candidate = await upstream((req, res) => {
      setTimeout(() => version(1)(req, res), 150);
    });
    const h = await captureLive(30);
    const p = spawnCli(['replay', '--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--concurrency', '1', '--run', 'interrupted', '--json']);
    await waitFor(() => candidate.seen.length, (n) => n >= 3, 10_000, 'a few replayed requests');
    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    const result = JSON.parse(p.output().trim().split('\n').pop() as string) as { sent: number; compared: number };
    expect(result.sent).toBeGreaterThanOrEqual(3);
    expect(result.sent).toBeLessThan(30);
    expect(result.compared).toBe(result.sent);
    expect(p.output()).toContain('stopping');
  });

  it('fails clearly on a bad file, a missing source and an unreachable candidate', async () => {
    const candidate = await upstream(version(1));
    const notJson = await replay(['--db', tempDb(), '--har', tempFile('bad.har', 'this is not json'), '--candidate', candidate.url]);
    expect(notJson.code).toBe(2);
    expect(notJson.output).toMatch(/HAR/i);
    const missing = await replay(['--db', tempDb(), '--har', '/no/such/file.har', '--candidate', candidate.url]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('/no/such/file.har');
    const twoSources = await replay(['--db', tempDb(), '--har', 'a', '--gor', 'b', '--candidate', candidate.url]);
    expect(twoSources.code).toBe(2);
    const h = await captureLive(2);
    const down = await replay(['--db', h.db, '--from-run', 'live', '--candidate', await closedPortUrl()]);
    expect(down.code).toBe(3);
    expect(down.output).toMatch(/unreachable/);
  });

  it('exports a captured run as HAR', async () => {
    const h = await captureLive(4);
    const out = join(mkdtempSync(join(tmpdir(), 'sd-export-')), 'live.har');
    const p = await runCliInProcess(['export', '--db', h.db, '--run', 'live', '--har', out]);
    expect(p.code).toBe(0);
    const har = JSON.parse(readFileSync(out, 'utf8'));
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries).toHaveLength(4);
    expect(har.log.entries[0].request.url).toMatch(/\/items\/1$/);
    expect(JSON.stringify(har)).not.toContain('live-secret');
  });

  it('starts a replay over the API and reports its progress and result', async () => {
    const candidate = await upstream(version(2));
    const h = await captureLive(6, { replayAllow: candidate.url });
    const res = await request(`${h.report}/api/v1/replays`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fromRun: 'live', candidate: candidate.url, run: 'api-replay', concurrency: 2 }),
    });
    expect(res.statusCode).toBe(202);
    const { id, run } = (await res.body.json()) as { id: string; run: string };
    expect(run).toBe('api-replay');
    const state = await waitFor(() => h.get<{ status: string; result: { compared: number; mismatched: number } | null }>(`/api/v1/replays/${id}`), (s) => s.status !== 'running', 15_000);
    expect(state).toMatchObject({ status: 'done', result: { compared: 6, mismatched: 2 } });
    const bad = await request(`${h.report}/api/v1/replays`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fromRun: 'nothing', candidate: candidate.url }) });
    expect(bad.statusCode).toBe(400);
    expect(((await bad.body.json()) as { parameter: string }).parameter).toBe('fromRun');
    expect((await request(`${h.report}/api/v1/replays/unknown`)).statusCode).toBe(404);
  });
});

describe('replay configuration', () => {
  it('reads its settings like every command: REDIS_URL= is unset, SHADOW_DIFF_* apply, durations take units', async () => {
    const h = await captureLive(3);
    const candidate = await upstream(version(2));
    const env = { REDIS_URL: '', SHADOW_DIFF_CANDIDATE: candidate.url, SHADOW_DIFF_REPLAY_RUN: 'from-env', SHADOW_DIFF_REPLAY_LIMIT: '2', SHADOW_DIFF_JSON: 'true' };
    const fromEnv = await replay(['--db', h.db, '--from-run', 'live', '--timeout', '2s'], env);
    expect(fromEnv.code, fromEnv.output).toBe(0);
    expect(fromEnv.result).toMatchObject({ run: 'from-env', sent: 2 });
    const badRate = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--rate', '1e-300']);
    expect(badRate.code).toBe(2);
    expect(badRate.output).toMatch(/--rate: must be at least/);
    const badTimeout = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url], { SHADOW_DIFF_REPLAY_TIMEOUT: '25d' });
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.output).toMatch(/SHADOW_DIFF_REPLAY_TIMEOUT: must be at most 2147483647 ms/);
    expect(candidate.seen).toHaveLength(2);
  }, 90_000); // four CLI processes
});

describe('a run belongs to one source', () => {
  const post = (report: string, body: Record<string, unknown>) =>
    request(`${report}/api/v1/replays`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses over the API a replay into the live run, or into a replay run of another source, unless appending to the same source', async () => {
    const candidate = await upstream(version(1));
    const h = await captureLive(4, { replayAllow: candidate.url });
    const before = await h.summary('live');
    const intoLive = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'live' });
    expect(intoLive.statusCode).toBe(409);
    expect(await intoLive.body.json()).toMatchObject({ code: 'SD_ERR_RUN_EXISTS', parameter: 'run' });
    expect(await h.summary('live')).toMatchObject({ compared: before.compared, matched: before.matched });
    expect(candidate.seen).toHaveLength(0);

    const first = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'r1' });
    expect(first.statusCode).toBe(202);
    const { id } = (await first.body.json()) as { id: string };
    await waitFor(() => h.get<{ status: string }>(`/api/v1/replays/${id}`), (s) => s.status !== 'running', 15_000);
    const again = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'r1' });
    expect(again.statusCode).toBe(409);
    const appendLive = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'live', append: true });
    expect(appendLive.statusCode).toBe(409);
    const appended = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'r1', append: true });
    expect(appended.statusCode).toBe(202);
    const second = (await appended.body.json()) as { id: string };
    await waitFor(() => h.get<{ status: string }>(`/api/v1/replays/${second.id}`), (s) => s.status !== 'running', 15_000);
    expect(await h.summary('r1')).toMatchObject({ compared: 8 });
    // An interval past 2^31-1 ms would be wrapped by Node into 1 ms.
    const slow = await post(h.report, { fromRun: 'live', candidate: candidate.url, run: 'slow', rate: 1e-300 });
    expect(slow.statusCode).toBe(400);
    expect(await slow.body.json()).toMatchObject({ code: 'SD_ERR_BAD_PARAMETER', parameter: 'rate' });
  });

  it('refuses on the CLI a replay into an existing run (exit 2), and appends only to a replay run of the same source', async () => {
    const h = await captureLive(3);
    const candidate = await upstream(version(1));
    const intoLive = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'live', '--json']);
    expect(intoLive.code).toBe(2);
    expect(intoLive.output).toMatch(/SD_ERR_RUN_EXISTS.*'live'/);
    const appendLive = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'live', '--append']);
    expect(appendLive.code).toBe(2);
    expect(candidate.seen).toHaveLength(0);
    expect(await h.summary('live')).toMatchObject({ compared: 3 });

    expect((await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'cli-r'])).code).toBe(0);
    const twice = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'cli-r']);
    expect(twice.code).toBe(2);
    expect(twice.output).toMatch(/--append/);
    const har = tempFile('other.har', JSON.stringify(toHar([{ request: { method: 'GET', url: '/items/1', headers: { host: 'x' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } }, response: { status: 200, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false }, latencyMs: 1 }, startedAt: Date.now(), origin: 'http://x' }])));
    const otherSource = await replay(['--db', h.db, '--har', har, '--candidate', candidate.url, '--run', 'cli-r', '--append']);
    expect(otherSource.code).toBe(2);
    expect(otherSource.output).toMatch(/source run:live/);
    const appended = await replay(['--db', h.db, '--from-run', 'live', '--candidate', candidate.url, '--run', 'cli-r', '--append', '--json']);
    expect(appended.code).toBe(0);
    expect(appended.result).toMatchObject({ run: 'cli-r', compared: 6 });
    const runs = rows<{ name: string; kind: string; source: string }>(h.db, 'select name, kind, source from runs order by name');
    expect(runs).toEqual([
      { name: 'cli-r', kind: 'replay', source: 'run:live' },
      { name: 'live', kind: 'live', source: 'live' },
    ]);
  }, 90_000); // six CLI processes

  it('never lets live mirroring record into a replay run: those pairs are skipped as run_conflict, not lost', async () => {
    const db = tempDb();
    const candidate = await upstream(version(1));
    const har = tempFile('one.har', JSON.stringify(toHar([{ request: { method: 'GET', url: '/items/1', headers: { host: 'x' }, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } }, response: { status: 200, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false }, latencyMs: 1 }, startedAt: Date.now(), origin: 'http://x' }])));
    expect((await replay(['--db', db, '--har', har, '--candidate', candidate.url, '--run', 'taken'])).code).toBe(0);
    const primary = await upstream(version(1));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { db, run: 'taken' });
    for (let i = 1; i <= 3; i++) await request(`${h.ingress}/items/${i}`).then((r) => r.body.dump());
    const s = await h.settled(4, 'taken');
    expect(s).toMatchObject({ compared: 1, skipped: 3 });
    expect(rows<{ n: number }>(db, "select sum(count) as n from skip_rollups where run = 'taken' and span = 0 and reason = 'run_conflict'")[0]?.n).toBe(3);
    expect(rows<{ kind: string }>(db, "select kind from runs where name = 'taken'")).toEqual([{ kind: 'replay' }]);
  });
});


/** Paths of the linked service: pages with host-built links, a redirect, an HTML page. */
const LINKED_PATHS = ['/items?page=1', '/items?page=2', '/items?page=3', '/old-items', '/page', '/missing'];

/** Live traffic of the linked service through the ingress (gzip asked), captured as run `live`. */
async function captureLinked() {
  const primary = await upstream(linkedService());
  const shadow = await upstream(linkedService());
  const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url });
  for (const path of LINKED_PATHS) {
    await request(`${h.ingress}${path}`, { headers: { 'accept-encoding': 'gzip, deflate', accept: 'application/json' } }).then((r) => r.body.dump());
  }
  await h.settled(LINKED_PATHS.length);
  return h;
}

describe('A/A: a captured or exported run replayed against the same version', () => {
  it('export, then replay --har against the same version: 0 mismatches', async () => {
    const h = await captureLinked();
    const file = join(mkdtempSync(join(tmpdir(), 'sd-export-')), 'live.har');
    const exported = await runCliInProcess(['export', '--db', h.db, '--run', 'live', '--har', file]);
    expect(exported.code).toBe(0);
    const candidate = await upstream(linkedService());
    const { code, result, output } = await replay(['--db', tempDb(), '--har', file, '--candidate', candidate.url, '--run', 'aa-har', '--json']);
    expect(code, output).toBe(0);
    expect(candidate.seen.every((r) => /gzip/.test(String(r.headers['accept-encoding'])))).toBe(true);
    expect(result).toMatchObject({ sent: LINKED_PATHS.length, compared: LINKED_PATHS.length, mismatched: 0, skipped: 0, errors: 0 });
  });

  it('replay --from-run against the same version: 0 mismatches, and a real change still shows', async () => {
    const h = await captureLinked();
    const same = await upstream(linkedService());
    const aa = await replay(['--db', h.db, '--from-run', 'live', '--candidate', same.url, '--run', 'aa-run', '--json']);
    expect(aa.result).toMatchObject({ sent: LINKED_PATHS.length, compared: LINKED_PATHS.length, mismatched: 0 });
    const moved = await upstream(linkedService({ nextPath: '/v2/items' }));
    const changed = await replay(['--db', h.db, '--from-run', 'live', '--candidate', moved.url, '--run', 'moved', '--json']);
    expect(changed.result).toMatchObject({ compared: LINKED_PATHS.length, mismatched: 3 });
  });

  it('replay --host-echo off compares the candidate\'s URLs as sent, and takes no other mode', async () => {
    const h = await captureLinked();
    const same = await upstream(linkedService());
    const off = await replay(['--db', h.db, '--from-run', 'live', '--candidate', same.url, '--run', 'echo-off', '--host-echo', 'off', '--json']);
    expect(Number(off.result?.mismatched)).toBeGreaterThan(0);
    const bad = await replay(['--db', h.db, '--from-run', 'live', '--candidate', same.url, '--host-echo', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--host-echo/);
  });
});

describe('HAR entries that are not one origin\'s HTTP exchanges', () => {
  const okBody = (id: number) => Buffer.from(JSON.stringify({ id, method: 'GET', price: 10 }));
  const entry = (origin: string, url: string, extra: Record<string, unknown> = {}) => ({
    startedDateTime: '2026-11-20T10:00:00.000Z',
    time: 3,
    request: { method: 'GET', url: `${origin}${url}`, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: 'application/json' }], cookies: [], content: { size: okBody(idOf(url)).length, mimeType: 'application/json', text: okBody(idOf(url)).toString() }, redirectURL: '', headersSize: -1, bodySize: -1 },
    ...extra,
  });
  const harOf = (...entries: unknown[]) => tempFile('mixed.har', JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));

  it('replays one origin, leaves out the others and websockets, and says so', async () => {
    const file = harOf(
      entry('https://shop.example', '/items/1'),
      entry('https://cdn.example', '/items/2'),
      entry('https://shop.example', '/items/3'),
      entry('https://shop.example', '/socket', { _resourceType: 'websocket', response: { status: 101, headers: [{ name: 'Upgrade', value: 'websocket' }], content: { size: 0, mimeType: '' } } }),
      entry('https://shop.example', '/items/4'),
    );
    const candidate = await upstream(version(1));
    const byDefault = await replay(['--db', tempDb(), '--har', file, '--candidate', candidate.url, '--json']);
    expect(byDefault.code, byDefault.output).toBe(0);
    expect(byDefault.result).toMatchObject({ sent: 3, compared: 3, mismatched: 0, leftOut: { websocket: 1, otherOrigins: { 'https://cdn.example': 1 } } });
    expect(byDefault.output).toMatch(/left out.*https:\/\/cdn\.example/);
    expect(candidate.seen.map((r) => r.url)).toEqual(['/items/1', '/items/3', '/items/4']);
  });

  it('replays the origin asked for with --har-origin, and refuses one the file does not hold', async () => {
    const file = harOf(entry('https://shop.example', '/items/1'), entry('https://cdn.example', '/items/2'), entry('https://shop.example', '/items/3'));
    const candidate = await upstream(version(1));
    const cdn = await replay(['--db', tempDb(), '--har', file, '--candidate', candidate.url, '--har-origin', 'https://cdn.example', '--json']);
    expect(cdn.result).toMatchObject({ sent: 1, compared: 1, leftOut: { websocket: 0, otherOrigins: { 'https://shop.example': 2 } } });
    const none = await replay(['--db', tempDb(), '--har', file, '--candidate', candidate.url, '--har-origin', 'https://nowhere.example']);
    expect(none.code).toBe(2);
    expect(none.output).toMatch(/nowhere\.example/);
  });

  it('compares status and headers only when no content was recorded, never an empty body', async () => {
    const noText = { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: 'application/json' }], cookies: [], content: { size: -1, mimeType: 'application/json' }, redirectURL: '', headersSize: -1, bodySize: -1 };
    const file = harOf(entry('https://shop.example', '/items/1', { response: noText }), entry('https://shop.example', '/items/2', { response: { ...noText, status: 201 } }));
    const candidate = await upstream(version(1));
    const { result, output } = await replay(['--db', tempDb(), '--har', file, '--candidate', candidate.url, '--json']);
    expect(result, output).toMatchObject({ sent: 2, compared: 2, mismatched: 1, skipped: 0 }); // the 201 only
  });
});
