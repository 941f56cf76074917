/**
 * `shadow-diff ingress --ingress-workers 2` as real processes on Redis, with a comparator and the
 * report API beside it: every request answered byte for byte, every mirrored pair compared or
 * counted, the admin port adding up both workers, a killed worker replaced, SIGTERM exiting 0.
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { openStore } from '../../libs/store/index.js';
import { freePort, spawnCli, useChildren } from '../support/cli-process.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { useScope } from '../support/scope.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

/** The processes `pid` forked (Linux): here, the cluster's workers. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The value of an unlabelled sample in a Prometheus text exposition. */
function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} is not in the exposition`);
  return Number(m[1]);
}

/** A body of its own for every path, some bytes outside ASCII: the client must get exactly these. */
const bodyFor = (url: string) => Buffer.concat([Buffer.from(JSON.stringify({ url, v: 1 })), Buffer.from([0xe2, 0x82, 0xac])]);

describe('ingress --ingress-workers 2', () => {
  const children = useChildren();
  const scope = useScope();

  it('answers byte for byte from both workers, accounts for every pair, adds up their metrics, replaces a dead worker and stops on SIGTERM', async () => {
    const primary = await scope.upstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bodyFor(req.url));
    });
    // The shadow differs on every other path: the comparisons are real ones.
    const shadow = await scope.upstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.url.endsWith('0') ? Buffer.from('other') : bodyFor(req.url));
    });
    const db = tempDb();
    await (await openStore(db)).close();
    const redis = inject('redisUrl');
    const prefix = randomPrefix();
    const [port, adminPort, reportPort] = [await freePort(), await freePort(), await freePort()];
    const spawn = (args: string[], env: Record<string, string> = {}) => {
      const p = spawnCli([...args, '--redis', redis, '--queue-prefix', prefix], env);
      children.push(p);
      return p;
    };
    const comparator = spawn(['comparator', '--db', db]);
    const report = spawn(['report-api', '--db', db, '--listen', `127.0.0.1:${reportPort}`]);
    const ingress = spawn(['ingress', '--primary', primary.url, '--shadow', shadow.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--ingress-workers', '2'], { SHADOW_DIFF_LOG_LEVEL: 'info' });
    await Promise.all([comparator.ready(), report.ready(), ingress.ready(30_000)]);
    const pid = ingress.child.pid as number;
    expect(childrenOf(pid)).toHaveLength(2);

    // A connection per request: the cluster hands connections to the workers in turn.
    const send = async (path: string) => {
      const res = await request(`http://127.0.0.1:${port}${path}`, { reset: true });
      expect(res.statusCode).toBe(200);
      expect(Buffer.from(await res.body.arrayBuffer()).equals(bodyFor(path))).toBe(true);
    };
    for (let i = 0; i < 20; i++) await send(`/items/${i}`);

    const summary = () => request(`http://127.0.0.1:${reportPort}/api/v1/summary`).then((r) => r.body.json() as Promise<{ compared: number; mismatched: number; skipped: number; dropped: number }>);
    const settled = await waitFor(summary, (s) => s.compared + s.skipped + s.dropped >= 20, 20_000, '20 pairs accounted for');
    expect(settled).toMatchObject({ compared: 20, mismatched: 2, skipped: 0, dropped: 0 });

    const metrics = await request(`http://127.0.0.1:${adminPort}/metrics`).then((r) => r.body.text());
    expect(sample(metrics, 'shadowdiff_ingress_requests_total')).toBe(20);
    expect(sample(metrics, 'shadowdiff_ingress_mirrored_total')).toBe(20);
    expect(sample(metrics, 'shadowdiff_ingress_queue_available')).toBe(1);
    expect(promtoolCheckMetrics(metrics)).toMatchObject({ output: '', status: 0 });
    expect(await request(`http://127.0.0.1:${adminPort}/healthz`).then((r) => r.body.json())).toEqual({ status: 'ok', queue: 'ok' });

    // A worker that dies is replaced; the port keeps serving meanwhile.
    const [victim] = childrenOf(pid) as [number];
    process.kill(victim, 'SIGKILL');
    await waitFor(() => childrenOf(pid), (pids) => pids.length === 2 && !pids.includes(victim), 15_000, 'a new worker');
    await waitFor(() => ingress.output(), (out) => out.includes('the new ingress worker listens'), 30_000, 'the new worker listening');
    for (let i = 20; i < 30; i++) await send(`/items/${i}`);
    await waitFor(summary, (s) => s.compared + s.skipped + s.dropped >= 30, 20_000, '30 pairs accounted for');

    const stopped = Date.now();
    ingress.kill('SIGTERM');
    expect(await ingress.exited(), ingress.output()).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
  }, 90_000);
});
