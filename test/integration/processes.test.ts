/** Real processes: the distributed mode over Redis, a comparator killed mid-backlog, SIGTERM, bad config. */
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { JOB_CONTRACT_VERSION } from '../../libs/exchange/contracts.js';
import { openStore } from '../../libs/store/index.js';
import type { Exchange } from '../../libs/exchange/exchange.js';
import { freePort, spawnCli, type CliProcess } from '../support/cli-process.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { json, startUpstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const children: CliProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null) {
      c.kill('SIGKILL');
      await c.exited();
    }
  }
  for (const c of closers.splice(0)) await c();
});

function cli(args: string[], env: Record<string, string> = {}): CliProcess {
  const p = spawnCli(args, env);
  children.push(p);
  return p;
}

function countRows(db: string, sql: string): number {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare(sql).get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

/** Exchanges recorded (compared or skipped), from the run totals (span 0) of the rollups. */
const RECORDED = 'select coalesce(sum(compared + skipped), 0) n from rollups where span = 0';

function jsonBody(value: unknown) {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, size: bytes.length, truncated: false };
}

function exchange(i: number): Exchange {
  // A payload with some weight, so that jobs are in progress when the worker is killed.
  const items = Array.from({ length: 300 }, (_, k) => ({ id: k, name: `item ${k}`, price: k * 1.5 }));
  const shadowItems = i % 2 === 0 ? items.map((it) => (it.id % 50 === 0 ? { ...it, price: it.price + 1 } : it)) : items;
  return {
    id: `kill-test-${i}`,
    run: 'live',
    receivedAt: Date.now(),
    request: { method: 'GET', url: `/catalog/${i}`, headers: {}, body: { bytes: Buffer.alloc(0), size: 0, truncated: false } },
    primary: { status: 200, headers: { 'content-type': 'application/json' }, body: jsonBody({ items }), latencyMs: 3 },
    shadow: { status: 200, headers: { 'content-type': 'application/json' }, body: jsonBody({ items: shadowItems }), latencyMs: 4 },
    shadowError: null,
    skipReason: null,
  };
}

describe('processes', () => {
  it('runs distributed: ingress, comparator and report API as separate processes over Redis', async () => {
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url, v: 1 }));
    const shadow = await startUpstream((req, res) => json(res, 200, { path: req.url, v: req.url.includes('/b') ? 2 : 1 }));
    closers.push(() => primary.close(), () => shadow.close());
    const db = tempDb();
    const redis = inject('redisUrl');
    const prefix = randomPrefix();
    await (await openStore(db)).close(); // the report API may start before any comparator has migrated
    const report = cli(['report-api', '--db', db, '--listen', '127.0.0.1:0', '--redis', redis, '--queue-prefix', prefix]);
    const comparators = [1, 2].map(() => cli(['comparator', '--db', db], { REDIS_URL: redis, SHADOW_DIFF_QUEUE_PREFIX: prefix }));
    const ingress = cli(['ingress', '--primary', primary.url, '--shadow', shadow.url, '--redis', redis, '--queue-prefix', prefix, '--listen', '127.0.0.1:0']);
    const [reportPort, ingressPort] = await Promise.all([
      report.ready().then((r) => r.port('report')),
      ingress.ready().then((r) => r.port('ingress')),
      ...comparators.map((c) => c.ready().then(() => 0)),
    ]);

    for (let i = 0; i < 20; i++) {
      const res = await request(`http://127.0.0.1:${ingressPort}/${i % 2 ? 'a' : 'b'}/${i}`);
      expect(await res.body.json()).toEqual({ path: `/${i % 2 ? 'a' : 'b'}/${i}`, v: 1 });
    }
    const summary = await waitFor(
      async () => (await request(`http://127.0.0.1:${reportPort}/api/v1/summary`)).body.json() as Promise<{ compared: number; mismatched: number }>,
      (s) => s.compared >= 20,
      15_000,
      '20 comparisons',
    );
    expect(summary).toMatchObject({ compared: 20, mismatched: 10 });
    const health = await request(`http://127.0.0.1:${reportPort}/healthz`);
    expect(await health.body.json()).toEqual({ status: 'ok', store: 'ok', queue: 'ok' });
  }, 60_000);

  it('loses and doubles nothing when a comparator is SIGKILLed mid-backlog and restarted', async () => {
    const db = tempDb();
    const redis = inject('redisUrl');
    const prefix = randomPrefix();
    const total = 400;
    const queue = createBullmqQueue({ url: redis, prefix, maxBacklog: 100_000, lockMs: 30_000 });
    closers.push(() => queue.close());
    await queue.ready(5000);
    for (let i = 0; i < total; i++) await queue.publisher.publish('compare-exchange', `kill-test-${i}`, { v: JOB_CONTRACT_VERSION, exchange: exchange(i) });

    const args = ['comparator', '--db', db, '--redis', redis, '--queue-prefix', prefix, '--job-lock', '2s', '--comparator-concurrency', '8'];
    const first = cli(args);
    await first.ready();
    await waitFor(() => { try { return countRows(db, RECORDED); } catch { return 0; } }, (n) => n >= 60, 20_000, 'some jobs done');
    first.kill('SIGKILL');
    await first.exited();
    const doneAtKill = countRows(db, RECORDED);
    expect(doneAtKill).toBeLessThan(total); // it really died mid-backlog

    const second = cli(args);
    await second.ready();
    await waitFor(() => countRows(db, RECORDED), (n) => n >= total, 40_000, 'every job compared');
    await waitFor(() => queue.consumer({ concurrency: 1 }).backlog(), (n) => n === 0, 10_000, 'an empty queue');
    expect(countRows(db, RECORDED)).toBe(total);
    expect(countRows(db, 'select coalesce(sum(differing), 0) n from rollups where span = 0')).toBe(total / 2);
    expect(countRows(db, 'select coalesce(sum(skipped), 0) n from rollups where span = 0')).toBe(0);
    expect(countRows(db, 'select count(*) n from exchange_ids')).toBe(total);
    expect(countRows(db, 'select count(*) n from discrepancies')).toBe(total / 2);
    // Each mismatch has exactly its 6 changed prices, never a second copy.
    expect(countRows(db, 'select count(*) n from differences')).toBe((total / 2) * 6);
  }, 90_000);

  it('serves /metrics that agree with the summary while two comparator processes write', async () => {
    const db = tempDb();
    const redis = inject('redisUrl');
    const prefix = randomPrefix();
    const queue = createBullmqQueue({ url: redis, prefix, maxBacklog: 100_000, lockMs: 30_000 });
    closers.push(() => queue.close());
    await queue.ready(5000);
    const total = 120;
    const comparators = [1, 2].map(() => cli(['comparator', '--db', db, '--redis', redis, '--queue-prefix', prefix, '--comparator-concurrency', '4']));
    await Promise.all(comparators.map((c) => c.ready()));
    for (let i = 0; i < total; i++) await queue.publisher.publish('compare-exchange', `metrics-${i}`, { v: JOB_CONTRACT_VERSION, exchange: exchange(i) });
    await waitFor(() => countRows(db, RECORDED), (n) => n >= total, 30_000, 'every job compared');

    const report = cli(['report-api', '--db', db, '--listen', '127.0.0.1:0']);
    const reportPort = (await report.ready()).port('report');
    const summary = (await (await request(`http://127.0.0.1:${reportPort}/api/v1/summary`)).body.json()) as { compared: number; mismatched: number };
    const metrics = await (await request(`http://127.0.0.1:${reportPort}/metrics`)).body.text();
    const sum = (result: string) =>
      [...metrics.matchAll(new RegExp(`^shadowdiff_comparisons_total\\{run="live",endpoint="[^"]+",result="${result}"\\} (\\d+)$`, 'gm'))].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
    expect(summary).toMatchObject({ compared: total, mismatched: total / 2 });
    expect(sum('match') + sum('mismatch')).toBe(summary.compared);
    expect(sum('mismatch')).toBe(summary.mismatched);
    expect(metrics).toMatch(/endpoint="GET \/catalog\/:id"/);
  }, 60_000);

  it('finishes in-flight work on SIGTERM and exits 0', async () => {
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url }));
    const shadow = await startUpstream((req, res) => {
      setTimeout(() => json(res, 200, { path: req.url }), 300);
    });
    closers.push(() => primary.close(), () => shadow.close());
    const db = tempDb();
    const all = cli(['start', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', db]);
    const bound = await all.ready();
    const port = bound.port('ingress');
    for (let i = 0; i < 5; i++) await (await request(`http://127.0.0.1:${port}/x/${i}`)).body.dump();
    all.kill('SIGTERM'); // the shadow answers after 300 ms: the pairs are still in flight
    expect(await all.exited()).toBe(0);
    expect(countRows(db, RECORDED)).toBe(5);
  }, 30_000);

  it('stops promptly on SIGTERM with a keep-alive request in flight', async () => {
    const primary = await startUpstream((req, res) => {
      setTimeout(() => json(res, 200, { path: req.url }), 500);
    });
    const shadow = await startUpstream((req, res) => json(res, 200, { path: req.url }));
    closers.push(() => primary.close(), () => shadow.close());
    const all = cli(['start', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', tempDb()]);
    const bound = await all.ready();
    const port = bound.port('ingress');
    const inFlight = request(`http://127.0.0.1:${port}/slow`); // undici keeps the connection alive
    await new Promise((r) => setTimeout(r, 150));
    const stoppedAt = Date.now();
    all.kill('SIGTERM');
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ path: '/slow' });
    expect(res.headers.connection).toBe('close');
    expect(await all.exited()).toBe(0);
    // Without closing idle keep-alive connections the process would linger for the 72 s keep-alive timeout.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  }, 30_000);

  it('logs no secret, even at debug level', async () => {
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url }, { 'set-cookie': 'session=cookie-secret' }));
    const shadow = await startUpstream((_req, res) => json(res, 500, { error: 'boom' }));
    closers.push(() => primary.close(), () => shadow.close());
    const all = cli(['start', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', tempDb(), '--log-level', 'debug']);
    const bound = await all.ready();
    const [port, reportPort] = [bound.port('ingress'), bound.port('report')];
    await (await request(`http://127.0.0.1:${port}/x`, { headers: { authorization: 'Bearer header-secret', cookie: 'sid=cookie-secret' } })).body.dump();
    await (await request(`http://127.0.0.1:${reportPort}/api/v1/summary`, { headers: { authorization: 'Bearer header-secret' } })).body.dump();
    await waitFor(async () => (await (await request(`http://127.0.0.1:${reportPort}/api/v1/summary`)).body.json()) as { compared: number }, (s) => s.compared === 1, 10_000);
    all.kill('SIGTERM');
    expect(await all.exited()).toBe(0);
    expect(all.output().length).toBeGreaterThan(0);
    expect(all.output()).not.toMatch(/header-secret|cookie-secret/);
  });

  it('loses nothing when the report API is killed and restarted', async () => {
    const db = tempDb();
    const store = await openStore(db);
    const { createJobHandler } = await import('../../services/comparator/handle-job.js');
    const handle = createJobHandler(store);
    for (let i = 0; i < 10; i++) {
      const ex = exchange(i);
      await handle({ name: 'compare-exchange', id: ex.id, payload: { v: 1, exchange: ex }, attempt: 0 });
    }
    await store.close();
    const port = await freePort();
    const read = async () => (await (await request(`http://127.0.0.1:${port}/api/v1/summary`)).body.json()) as Record<string, number>;
    const first = cli(['report-api', '--db', db, '--listen', `127.0.0.1:${port}`]);
    await first.ready();
    const before = await read();
    first.kill('SIGKILL');
    await first.exited();
    const second = cli(['report-api', '--db', db, '--listen', `127.0.0.1:${port}`]);
    await second.ready();
    expect(await read()).toEqual(before);
    expect(before).toMatchObject({ compared: 10, mismatched: 5 });
  });

  it('rejects an invalid config file with a clear message and exit 2', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'sd-cfg-')), 'bad.yaml');
    writeFileSync(file, 'primary: [unclosed\n');
    const bad = cli(['start', '--config', file]);
    expect(await bad.exited()).toBe(2);
    expect(bad.output()).toContain('SD_ERR_CONFIG_FILE');
    expect(bad.output()).toContain('not valid YAML');
  });

  it('reports every configuration error at once and exits non-zero', async () => {
    const bad = cli(['start', '--shadow', 'ftp://nowhere', '--mirror-percent', '150', '--listen', 'not-an-address', '--shadow-timeout', 'soon']);
    expect(await bad.exited()).toBe(2);
    const out = bad.output();
    expect(out).toContain('SD_ERR_CONFIG_INVALID');
    expect(out).toContain('--shadow: must be a http: or https: URL');
    expect(out).toContain('--mirror-percent: must be at most 100');
    expect(out).toContain('--listen: must be HOST:PORT');
    expect(out).toContain('--shadow-timeout: must be a duration');
    expect(out).toContain('--primary (env SHADOW_DIFF_PRIMARY, config key \'primary\') is required');
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  });
});
