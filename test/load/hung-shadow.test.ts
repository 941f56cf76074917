/**
 * 60 s of sustained traffic with a shadow that never answers. The ingress (a real `shadow-diff
 * start` process) must keep its memory on a plateau (bounded in-flight, bounded queue), count the
 * dropped pairs, and serve clients at the primary's latency.
 *
 *   npm run test:load        (LOAD_SECONDS=60 by default)
 */
import { createServer as createTcpServer, type Socket } from 'node:net';
import { Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnCli, type CliProcess } from '../support/cli-process.js';
import { tempDb } from '../support/temp.js';
import { json, startUpstream } from '../support/upstream.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = 16;

const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

/** Keeps CONNECTIONS requests in flight for `ms`; returns every latency, in order of completion. */
async function load(url: string, ms: number): Promise<number[]> {
  const pool = new Pool(url, { connections: CONNECTIONS });
  const latencies: number[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      let i = 0;
      while (performance.now() < until) {
        const started = performance.now();
        const res = await pool.request({ path: `/items/${c}-${i++}`, method: 'GET' });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  await pool.close();
  return latencies;
}

async function metric(adminUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ').pop());
}

describe(`ingress under ${SECONDS} s of load with a hung shadow`, () => {
  it('keeps memory on a plateau, counts drops, and serves at the primary latency', async () => {
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url, payload: 'x'.repeat(1000) }));
    closers.push(() => primary.close());
    const hung = new Set<Socket>();
    const shadow = createTcpServer((s) => {
      hung.add(s);
      s.on('error', () => {});
    }).listen(0, '127.0.0.1');
    closers.push(() => {
      for (const s of hung) s.destroy();
      shadow.close();
    });
    const shadowPort = await new Promise<number>((r) => shadow.once('listening', () => r((shadow.address() as { port: number }).port)));

    const [port, reportPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    const proc: CliProcess = spawnCli([
      'start',
      '--primary', primary.url,
      '--shadow', `http://127.0.0.1:${shadowPort}`,
      '--listen', `127.0.0.1:${port}`,
      '--report-listen', `127.0.0.1:${reportPort}`,
      '--admin-listen', `127.0.0.1:${adminPort}`,
      '--db', tempDb(),
      '--shadow-timeout', '30s', // hung for good: only the in-flight bound protects the ingress
    ]);
    closers.push(async () => {
      proc.kill('SIGKILL');
      await proc.exited();
    });
    await proc.ready();
    const ingress = `http://127.0.0.1:${port}`;
    const admin = `http://127.0.0.1:${adminPort}`;

    const direct = await load(primary.url, 3000);
    const rss: number[] = [];
    const sampler = setInterval(() => {
      void metric(admin, 'shadowdiff_ingress_process_resident_memory_bytes').then((v) => rss.push(v));
    }, 2000);
    const through = await load(ingress, SECONDS * 1000);
    clearInterval(sampler);

    const dropped = await metric(admin, 'shadowdiff_ingress_dropped_total{reason="shadow_in_flight_limit"}');
    const half = Math.floor(rss.length / 2);
    const firstHalfMax = Math.max(...rss.slice(0, half));
    const secondHalfMax = Math.max(...rss.slice(half));
    const report = {
      requests: through.length,
      dropped,
      rssMiB: rss.map((b) => Math.round(b / 2 ** 20)),
      directP99: percentile(direct, 0.99).toFixed(2),
      ingressP99: percentile(through, 0.99).toFixed(2),
      directP50: percentile(direct, 0.5).toFixed(2),
      ingressP50: percentile(through, 0.5).toFixed(2),
    };
    console.log(JSON.stringify(report));

    expect(through.length).toBeGreaterThan(SECONDS * 100);
    expect(dropped).toBeGreaterThan(through.length * 0.9); // all but the bounded in-flight few
    // A plateau: the second half of the run holds no more than the first half plus 20 %.
    expect(secondHalfMax).toBeLessThan(firstHalfMax * 1.2);
    // The hung shadow costs the client nothing that grows: the last quarter of the run is served as
    // fast as the first, and close to the primary's own latency (the ingress shares 2 cores with
    // the primary and the comparator here, so "close" is a few milliseconds under saturation).
    const quarter = Math.floor(through.length / 4);
    const earlyP50 = percentile(through.slice(0, quarter), 0.5);
    const lateP50 = percentile(through.slice(-quarter), 0.5);
    expect(lateP50).toBeLessThan(earlyP50 * 1.5 + 1);
    expect(percentile(through, 0.5)).toBeLessThan(percentile(direct, 0.5) + 10);
  }, (SECONDS + 60) * 1000);
});
