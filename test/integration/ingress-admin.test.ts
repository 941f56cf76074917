/**
 * The ingress's admin port (--admin-listen): its own counters and latency histograms in Prometheus
 * text, and /healthz, over real HTTP; and no admin port at all without the flag.
 */
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../libs/config/load-config.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { freePort, spawnCli, useChildren } from '../support/cli-process.js';
import { parseMetrics, valueOf, type Sample } from '../support/prom-text.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { useScope } from '../support/scope.js';
import { randomPrefix } from '../support/temp.js';
import { closedPortUrl, json, startUpstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

async function scrape(admin: string | undefined): Promise<Sample[]> {
  if (!admin) throw new Error('no admin port');
  const res = await request(`${admin}/metrics`);
  expect(res.statusCode).toBe(200);
  return parseMetrics(await res.body.text());
}

const P = 'shadowdiff_ingress_';
const ADMIN = { adminListen: '127.0.0.1:0' };

describe('ingress admin port', () => {
  const scope = useScope();
  const upstream = scope.upstream;
  const harness = (primary: string, shadow: string, overrides: Parameters<typeof scope.harness>[2] = {}) =>
    scope.harness('embedded', { primary, shadow }, overrides);

  it('counts requests, mirrored and dropped pairs, and observes primary and shadow latencies', async () => {
    const primary = await upstream((_req, res) => json(res, 200, { ok: 1 }));
    // The shadow holds its answers until the test opens the gate, so the in-flight bound is hit for sure;
    // under /fail/ it resets the connection (a shadow error).
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const shadow = await upstream(async (req, res) => {
      if (req.url.startsWith('/fail/')) {
        res.socket?.destroy();
        return;
      }
      await gate;
      json(res, 200, { ok: 1 });
    });
    const h = await harness(primary.url, shadow.url, { ...ADMIN, shadowMaxInFlight: '2' });
    expect(h.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.admin).not.toBe(h.ingress);

    // Before any traffic: every series is there, at 0.
    let m = await scrape(h.admin);
    expect(valueOf(m, `${P}requests_total`)).toBe(0);
    expect(valueOf(m, `${P}dropped_total`, { reason: 'shadow_in_flight_limit' })).toBe(0);
    expect(valueOf(m, `${P}shadow_latency_seconds_count`, { outcome: 'error' })).toBe(0);

    // 6 at once, 2 shadow slots held: 2 mirrored, 4 dropped.
    await Promise.all(Array.from({ length: 6 }, (_, i) => request(`${h.ingress}/p/${i}`).then((r) => r.body.dump())));
    m = await scrape(h.admin);
    expect(valueOf(m, `${P}requests_total`)).toBe(6);
    expect(valueOf(m, `${P}mirrored_total`)).toBe(2);
    expect(valueOf(m, `${P}dropped_total`, { reason: 'shadow_in_flight_limit' })).toBe(4);
    expect(valueOf(m, `${P}shadow_in_flight`)).toBe(2);
    expect(valueOf(m, `${P}primary_latency_seconds_count`)).toBe(6);
    expect(valueOf(m, `${P}shadow_latency_seconds_count`, { outcome: 'response' })).toBe(0);

    openGate();
    await waitFor(async () => valueOf(await scrape(h.admin), `${P}shadow_in_flight`), (n) => n === 0, 5000, 'the shadow slots back');

    // Not mirrored (POST is not in the default methods): counted and timed all the same.
    for (let i = 0; i < 3; i++) {
      await request(`${h.ingress}/orders`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }).then((r) => r.body.dump());
    }
    // Mirrored, and the shadow fails.
    for (let i = 0; i < 2; i++) await request(`${h.ingress}/fail/${i}`).then((r) => r.body.dump());
    await waitFor(async () => valueOf(await scrape(h.admin), `${P}shadow_in_flight`), (n) => n === 0, 5000, 'the shadow slots back');
    const s = await h.settled(8);
    expect(s).toMatchObject({ dropped: 4 });

    m = await scrape(h.admin);
    expect(valueOf(m, `${P}requests_total`)).toBe(11);
    expect(valueOf(m, `${P}mirrored_total`)).toBe(4);
    expect(valueOf(m, `${P}dropped_total`, { reason: 'shadow_in_flight_limit' })).toBe(4);
    expect(valueOf(m, `${P}dropped_total`, { reason: 'queue_unavailable' })).toBe(0);
    expect(valueOf(m, `${P}dropped_total`, { reason: 'queue_backlog_limit' })).toBe(0);
    expect(valueOf(m, `${P}primary_errors_total`)).toBe(0);
    expect(valueOf(m, `${P}primary_latency_seconds_count`)).toBe(11);
    expect(valueOf(m, `${P}primary_latency_seconds_bucket`, { le: '+Inf' })).toBe(11);
    expect(valueOf(m, `${P}primary_latency_seconds_sum`)).toBeGreaterThan(0);
    expect(valueOf(m, `${P}primary_latency_seconds_bucket`, { le: '0.001' })).toBeDefined();
    expect(valueOf(m, `${P}primary_latency_seconds_bucket`, { le: '10' })).toBe(11);
    expect(valueOf(m, `${P}shadow_latency_seconds_count`, { outcome: 'response' })).toBe(2);
    expect(valueOf(m, `${P}shadow_latency_seconds_count`, { outcome: 'error' })).toBe(2);
    expect(valueOf(m, `${P}shadow_in_flight`)).toBe(0);
    expect(valueOf(m, `${P}queue_available`)).toBe(1);
    // prom-client's default process metrics, under the ingress's prefix.
    expect(valueOf(m, `${P}process_cpu_user_seconds_total`)).toBeGreaterThan(0);
    expect(m.some((x) => x.name === `${P}nodejs_heap_size_used_bytes`)).toBe(true);
    expect(m.some((x) => x.name === 'process_cpu_user_seconds_total')).toBe(false);
  });

  it('counts primary failures, each ingress in its own registry', async () => {
    const primary = await upstream((_req, res) => json(res, 200, { ok: 1 }));
    const shadow = await upstream((_req, res) => json(res, 200, { ok: 1 }));
    const good = await harness(primary.url, shadow.url, ADMIN);
    const bad = await harness(await closedPortUrl(), shadow.url, ADMIN);
    const res = await request(`${bad.ingress}/a`);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    await request(`${bad.ingress}/b`, { method: 'POST', body: 'x' }).then((r) => r.body.dump());
    await request(`${good.ingress}/c`).then((r) => r.body.dump());

    const b = await scrape(bad.admin);
    expect(valueOf(b, `${P}requests_total`)).toBe(2);
    expect(valueOf(b, `${P}primary_errors_total`)).toBe(2);
    expect(valueOf(b, `${P}primary_latency_seconds_count`)).toBe(2);
    const g = await scrape(good.admin);
    expect(valueOf(g, `${P}requests_total`)).toBe(1);
    expect(valueOf(g, `${P}primary_errors_total`)).toBe(0);
    expect(valueOf(g, `${P}primary_latency_seconds_count`)).toBe(1);
  });

  it('answers /healthz, and /metrics in the Prometheus text format', async () => {
    const primary = await upstream((_req, res) => json(res, 200, {}));
    const shadow = await upstream((_req, res) => json(res, 200, {}));
    const h = await harness(primary.url, shadow.url, ADMIN);
    const health = await request(`${h.admin}/healthz`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: 'ok', queue: 'ok' });
    const metrics = await request(`${h.admin}/metrics`);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.body.text();
    expect(text).toContain(`# TYPE ${P}requests_total counter`);
    expect(text).toContain(`# TYPE ${P}primary_latency_seconds histogram`);
    expect(text).toContain(`# TYPE ${P}shadow_in_flight gauge`);
    // The proxied service's paths stay on the main port: /metrics there goes to the primary.
    await request(`${h.ingress}/metrics`).then((r) => r.body.dump());
    expect(primary.seen.map((r) => r.url)).toEqual(['/metrics']);
  });

  it("passes promtool's metric lint, the process and Node.js defaults included", async () => {
    const primary = await upstream((_req, res) => json(res, 200, {}));
    const shadow = await upstream((_req, res) => json(res, 200, {}));
    const h = await harness(primary.url, shadow.url, ADMIN);
    await request(`${h.ingress}/x`).then((r) => r.body.dump());
    const text = await (await request(`${h.admin}/metrics`)).body.text();
    expect(text).toContain(`# TYPE ${P}process_cpu_seconds_total counter`);
    expect(text).toContain(`# TYPE ${P}nodejs_active_handles gauge`);
    const lint = promtoolCheckMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);
  });

  it('opens no admin port without --admin-listen', async () => {
    const primary = await upstream((_req, res) => json(res, 200, {}));
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    // Servers of earlier tests may still be letting go of their handles: count once the number holds.
    const servers = async () => {
      for (let last = -1, n = count(); ; last = n, n = count()) {
        if (n === last) return n;
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    const before = await servers();
    const h = await harness(primary.url, primary.url);
    expect(h.admin).toBeUndefined();
    expect(h.running.urls).not.toHaveProperty('admin');
    expect((await servers()) - before).toBe(2); // the ingress and the report API
    const withAdmin = await harness(primary.url, primary.url, ADMIN);
    expect((await servers()) - before).toBe(5); // and another ingress, report API and admin port
    expect(withAdmin.admin).toBeDefined();
  });

  it('reads --admin-listen from a flag, the environment or the config file, with no default', () => {
    expect(loadConfig({ env: {} }).adminListen).toBeUndefined();
    expect(loadConfig({ env: { SHADOW_DIFF_ADMIN_LISTEN: '0.0.0.0:9100' } }).adminListen).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(loadConfig({ env: {}, flags: { adminListen: ':9101' } }).adminListen).toEqual({ host: '127.0.0.1', port: 9101 });
    expect(() => loadConfig({ env: { SHADOW_DIFF_ADMIN_LISTEN: 'nope' } })).toThrow(/SHADOW_DIFF_ADMIN_LISTEN: must be HOST:PORT/);
  });
});

describe('the ingress command with --admin-listen', () => {
  const children = useChildren();

  it('serves the admin port and names it in its ready line; start and comparator take the flag too, report-api not', async () => {
    const primary = await startUpstream((_req, res) => json(res, 200, {}));
    try {
      const [port, adminPort] = [await freePort(), await freePort()];
      const p = spawnCli(
        ['ingress', '--primary', primary.url, '--shadow', primary.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`],
        { SHADOW_DIFF_REDIS: inject('redisUrl'), SHADOW_DIFF_QUEUE_PREFIX: randomPrefix() },
      );
      children.push(p);
      await p.ready();
      expect(p.output()).toContain(`admin http://127.0.0.1:${adminPort}`);
      await request(`http://127.0.0.1:${port}/x`).then((r) => r.body.dump());
      const m = await scrape(`http://127.0.0.1:${adminPort}`);
      expect(valueOf(m, `${P}requests_total`)).toBe(1);
      expect(valueOf(m, `${P}queue_available`)).toBe(1);
      p.kill('SIGTERM');
      expect(await p.exited()).toBe(0);

      for (const [command, has] of [['start', true], ['comparator', true], ['report-api', false]] as const) {
        const help = cliInProcess([command, '--help']);
        await help.exited();
        expect(help.output().includes('--admin-listen'), command).toBe(has);
      }
    } finally {
      await primary.close();
    }
  });
});
