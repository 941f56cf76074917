/**
 * What the HTTP server in front of the proxy costs: the same inline ingress handler (proxy only,
 * --mirror-percent 0) on fastify's hijacked catch-all route and on a plain node:http server, each in
 * a process of its own, against one node upstream (bench/upstream-server.ts), measured with wrk in
 * alternated runs so that a noisy moment on a shared machine does not favour one side.
 *
 *   node --import tsx bench/ingress-server-overhead.ts [--runs 3 --seconds 5 --connections 32]
 *
 * Prints req/s, p99 and the ingress's CPU per request of every run, and the median of each server;
 * CPU per request is the figure that holds on a machine shared with other load.
 */
import { parseArgs } from 'node:util';
import { DropCounter } from '../libs/capture/drop-counter.js';
import { ExchangeRecorder } from '../libs/capture/exchange-recorder.js';
import { createEmbeddedQueue } from '../libs/queue/embedded-queue.js';
import { buildIngressApp } from '../services/ingress/ingress-app.js';
import { createFastifyProxyServer, createNodeProxyServer, type ProxyServerFactory } from '../services/ingress/proxy-server.js';
import { freePort, spawnChild, stopAll, treeCpuSeconds } from './support/children.js';
import { ROOT, startUpstream } from './support/servers.js';
import { runWrk, type WrkResult } from './support/wrk.js';

const SERVERS: Record<string, ProxyServerFactory> = { fastify: createFastifyProxyServer, 'node:http': createNodeProxyServer };

/** Child mode: one ingress on the named server, proxying to --primary, until SIGTERM. */
async function serve(kind: string, primary: string, port: number): Promise<void> {
  const queue = createEmbeddedQueue({ maxBacklog: 1000 });
  const drops = new DropCounter(queue.publisher);
  const ingress = buildIngressApp({
    primary,
    shadow: primary,
    run: 'bench',
    mirrorPercent: 0,
    mirrorMethods: ['GET'],
    shadowHostSuffix: '-shadow',
    shadowTimeoutMs: 5000,
    shadowMaxInFlight: 256,
    shadowMaxInFlightBytes: 256 * 1024 * 1024,
    captureMaxBytes: 1024 * 1024,
    primaryTimeoutMs: 60_000,
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    recorder: new ExchangeRecorder(queue.publisher, drops),
    drops,
    createServer: SERVERS[kind] as ProxyServerFactory,
  });
  await ingress.server.listen('127.0.0.1', port);
  process.stdout.write(`ingress ${kind} listening on ${port}\n`);
  process.once('SIGTERM', () => void ingress.close().then(() => process.exit(0)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      primary: { type: 'string' },
      port: { type: 'string' },
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '32' },
    },
  });
  if (values.serve) return serve(values.serve, values.primary as string, Number(values.port));
  const upstream = await startUpstream('upstream', 0);
  const ingresses = [];
  for (const kind of Object.keys(SERVERS)) {
    const port = await freePort();
    const child = spawnChild(kind, process.execPath, ['--import', 'tsx', 'bench/ingress-server-overhead.ts', '--serve', kind, '--primary', upstream.url, '--port', String(port)], { cwd: ROOT });
    await child.waitFor(/listening on/, 15_000);
    ingresses.push({ kind, url: `http://127.0.0.1:${port}`, pid: child.pid });
  }
  const results = new Map<string, (WrkResult & { usPerRequest: number })[]>(ingresses.map((i) => [i.kind, []]));
  const load = (url: string, seconds: number) => runWrk({ url, connections: Number(values.connections), threads: 1, seconds });
  for (const i of ingresses) await load(i.url, 1); // warm-up: JIT and keep-alive pools
  for (let run = 0; run < Number(values.runs); run++) {
    // Alternate which goes first, so neither always runs right after the other.
    const order = run % 2 === 0 ? ingresses : [...ingresses].reverse();
    for (const i of order) {
      const cpuBefore = treeCpuSeconds(i.pid);
      const w = await load(i.url, Number(values.seconds));
      const r = { ...w, usPerRequest: ((treeCpuSeconds(i.pid) - cpuBefore) * 1e6) / w.requests };
      results.get(i.kind)?.push(r);
      process.stdout.write(`run ${run + 1} ${i.kind.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  p99 ${r.p99Ms.toFixed(2)} ms  ${r.usPerRequest.toFixed(0)} µs CPU/request  non-2xx ${r.non2xx}\n`);
    }
  }
  process.stdout.write(`\n${(results.get('fastify')?.[0]?.command ?? '').replace(/\S+$/, '<url>/items/1')}\n`);
  process.stdout.write('| server | median req/s | median p99 | median CPU per request |\n|---|---:|---:|---:|\n');
  for (const [kind, rs] of results) {
    process.stdout.write(`| ${kind} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${median(rs.map((r) => r.p99Ms)).toFixed(2)} ms | ${median(rs.map((r) => r.usPerRequest)).toFixed(0)} µs |\n`);
  }
  await stopAll();
}

await main();
