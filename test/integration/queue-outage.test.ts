/** Redis goes away under traffic: the client notices nothing, pairs are counted as dropped, mirroring resumes. */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/cli-process.js';
import { startHarness } from '../support/harness.js';
import { hasRedisServer, startRedis, stopRedis } from '../support/redis-server.js';
import { json, startUpstream } from '../support/upstream.js';
import { sleep, waitFor } from '../support/wait.js';

describe.runIf(hasRedisServer)('queue outage (needs the redis-server binary)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('serves every client while Redis is down, counts the pairs as dropped, and resumes by itself', async () => {
    const port = await freePort();
    let redis = startRedis(port);
    cleanup.push(() => stopRedis(redis));
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url }));
    const shadow = await startUpstream((req, res) => json(res, 200, { path: req.url }));
    cleanup.push(() => primary.close(), () => shadow.close());
    await sleep(200);
    const h = await startHarness('bullmq', { primary: primary.url, shadow: shadow.url }, { redis: `redis://127.0.0.1:${port}` });
    cleanup.push(() => h.close());

    const latencies: number[] = [];
    const hit = async (i: number) => {
      const started = performance.now();
      const res = await request(`${h.ingress}/items/${i}`);
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ path: `/items/${i}` });
      latencies.push(performance.now() - started);
    };
    for (let i = 0; i < 5; i++) await hit(i);
    await h.settled(5);

    await stopRedis(redis);
    const outage = 8;
    for (let i = 0; i < outage; i++) await hit(100 + i);
    // Nothing can be stored while Redis is down, but the client was served every time, without
    // waiting on the queue (a publish never waits for Redis: no offline queue, a fast refusal).
    expect(Math.max(...latencies.slice(5))).toBeLessThan(250);

    redis = startRedis(port);
    await waitFor(() => h.running.queue?.publisher.isAvailable() ?? false, (ok) => ok, 15_000, 'the publisher to reconnect');
    for (let i = 0; i < 5; i++) await hit(200 + i);
    // The comparator has a fresh (empty) Redis: the 5 new pairs are compared, the outage's are reported as dropped.
    const s = await waitFor(() => h.summary(), (x) => x.compared >= 10 && x.dropped >= outage, 20_000, 'resumed comparisons and dropped counts');
    expect(s).toMatchObject({ compared: 10, dropped: outage, skipped: 0 });
  }, 60_000);
});
