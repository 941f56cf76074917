/**
 * The comparator's admin port (`comparator --admin-listen`): a real comparator process on a private
 * Redis answers /healthz 200 while its consumer runs and the store and the queue answer, 503 saying
 * which while Redis is down (its /livez 200 all along), 200 again once it is back; /metrics counts its jobs, failures and
 * comparator_error skips, promtool-clean. In process: every counter moves where the service counts.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { openStore } from '../../libs/store/index.js';
import { buildComparatorAdminApp } from '../../services/comparator/comparator-admin-app.js';
import { ComparatorMetrics } from '../../services/comparator/comparator-metrics.js';
import { startComparator } from '../../services/comparator/comparator-service.js';
import { freePort, spawnCli, useChildren } from '../support/cli-process.js';
import { makeExchange } from '../support/fixtures.js';
import { parseMetrics, valueOf } from '../support/prom-text.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { hasRedisServer, startRedis, stopRedis } from '../support/redis-server.js';
import { useScope } from '../support/scope.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const P = 'shadowdiff_comparator_';
const scope = useScope();
const children = useChildren();

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.text() };
}
const scrape = async (admin: string) => parseMetrics((await get(`${admin}/metrics`)).body);
const health = async (admin: string) => {
  const res = await get(`${admin}/healthz`);
  return { status: res.status, body: JSON.parse(res.body) as unknown };
};

describe('the comparator command with --admin-listen', () => {
  it('answers /healthz 200, 503 naming the queue while Redis is down, 200 once it is back; /metrics counts its jobs', async () => {
    if (!hasRedisServer) throw new Error('this test needs the redis-server binary (Debian: redis-server)');
    const redisPort = await freePort();
    let redis = startRedis(redisPort);
    scope.defer(() => stopRedis(redis));
    const url = `redis://127.0.0.1:${redisPort}`;
    const prefix = randomPrefix();
    const publisher = createBullmqQueue({ url, prefix, maxBacklog: 100, lockMs: 2000 });
    scope.defer(() => publisher.close());
    expect(await publisher.ready(5000)).toBe(true);

    const adminPort = await freePort();
    // A network address, no token: the admin port serves counters and health only, like the ingress's.
    const p = spawnCli(['comparator', '--db', tempDb(), '--redis', url, '--queue-prefix', prefix, '--admin-listen', `0.0.0.0:${adminPort}`]);
    children.push(p);
    await p.ready(30_000);
    expect(p.output()).toMatch(new RegExp(`admin http://[0-9.]+:${adminPort}`));
    const admin = `http://127.0.0.1:${adminPort}`;
    expect(await health(admin)).toEqual({ status: 200, body: { status: 'ok', consumer: 'ok', store: 'ok', queue: 'ok' } });

    let m = await scrape(admin);
    expect([valueOf(m, `${P}jobs_total`), valueOf(m, `${P}job_failures_total`), valueOf(m, `${P}comparator_errors_total`)]).toEqual([0, 0, 0]);
    // Two good pairs, one whose payload is not an exchange (counted as skipped, comparator_error),
    // and a drops report that is not one (an attempt that fails for good).
    for (const ex of [makeExchange(), makeExchange({ shadowJson: { id: 1, name: 'b' } })]) await publisher.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    const bad = makeExchange();
    await publisher.publisher.publish('compare-exchange', bad.id, { v: 1, exchange: { ...bad, primary: { ...bad.primary, status: 'two hundred' as unknown as number } } });
    await publisher.publisher.publish('record-drops', 'bad-drops', { v: 1, reportId: 'r', run: 'live', counts: { no_such_reason: 1 } as never });
    m = await waitFor(() => scrape(admin), (s) => valueOf(s, `${P}jobs_total`) === 3 && valueOf(s, `${P}job_failures_total`) === 1, 15_000, 'four jobs handled');
    expect(valueOf(m, `${P}comparator_errors_total`)).toBe(1);
    expect(valueOf(m, `${P}process_cpu_user_seconds_total`)).toBeGreaterThan(0);
    const text = (await get(`${admin}/metrics`)).body;
    expect(text).toContain(`# TYPE ${P}jobs_total counter`);
    const lint = promtoolCheckMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);

    await stopRedis(redis);
    const down = await waitFor(() => health(admin), (h) => h.status === 503, 10_000, '/healthz to see Redis gone');
    expect(down.body).toEqual({ status: 'unavailable', consumer: 'ok', store: 'ok', queue: 'unavailable' });
    // Alive all the same: restarting it would not bring Redis back.
    expect(await get(`${admin}/livez`)).toEqual({ status: 200, body: '{"status":"ok"}' });

    redis = startRedis(redisPort);
    await waitFor(() => health(admin), (h) => h.status === 200, 20_000, '/healthz to see Redis back');
    p.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
  }, 90_000);
});

describe('the comparator admin app in process', () => {
  it('says which part does not answer, and counts what the service counts', async () => {
    const store = await openStore(tempDb());
    const queue = createEmbeddedQueue({ maxBacklog: 10, backoffMs: 10 });
    const metrics = new ComparatorMetrics({ defaultMetrics: false });
    const comparator = startComparator({ queue, store, concurrency: 1, settings: {}, logger: createLogger('silent', 'test'), metrics });
    let storeAnswers = true;
    const app = buildComparatorAdminApp({
      metrics,
      health: { consumerRunning: () => comparator.consumer.isRunning(), pingStore: async () => storeAnswers, pingQueue: () => queue.ping() },
      pingTimeoutMs: 200,
    });
    scope.defer(async () => {
      await app.close();
      await comparator.close();
      await store.close();
    });
    const healthz = async () => {
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      return { status: res.statusCode, body: res.json() as unknown };
    };
    expect(await healthz()).toEqual({ status: 200, body: { status: 'ok', consumer: 'ok', store: 'ok', queue: 'ok' } });
    storeAnswers = false;
    expect(await healthz()).toEqual({ status: 503, body: { status: 'unavailable', consumer: 'ok', store: 'unavailable', queue: 'ok' } });
    expect((await app.inject({ method: 'GET', url: '/livez' })).statusCode).toBe(200);

    const ex = makeExchange({ primary: { ...makeExchange().primary, status: -1 } });
    await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    await queue.publisher.publish('compare-exchange', 'ok', { v: 1, exchange: { ...makeExchange(), id: 'ok' } });
    const counted = await waitFor(
      async () => parseMetrics(await metrics.text()),
      (s) => valueOf(s, `${P}jobs_total`) === 2,
      10_000,
      'two jobs',
    );
    expect(valueOf(counted, `${P}comparator_errors_total`)).toBe(1);
    expect(valueOf(counted, `${P}job_failures_total`)).toBe(0);

    // A ping that never answers counts as unavailable, in time for a probe.
    const hung = buildComparatorAdminApp({ metrics, health: { consumerRunning: () => true, pingStore: async () => true, pingQueue: () => new Promise<boolean>(() => undefined) }, pingTimeoutMs: 50 });
    scope.defer(() => hung.close());
    expect((await hung.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'unavailable', consumer: 'ok', store: 'ok', queue: 'unavailable' });

    await comparator.close();
    storeAnswers = true;
    expect(await healthz()).toEqual({ status: 503, body: { status: 'unavailable', consumer: 'unavailable', store: 'ok', queue: 'ok' } });
    const live = await app.inject({ method: 'GET', url: '/livez' });
    expect([live.statusCode, live.json()]).toEqual([503, { status: 'unavailable' }]);
  });
});
