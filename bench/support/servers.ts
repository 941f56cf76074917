/**
 * The processes under test: upstream servers, nginx (with `mirror`, or plain `proxy_pass`),
 * `shadow-diff start`, and `shadow-diff ingress` with `shadow-diff comparator` processes on BullMQ.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { RunSummary } from '../../libs/api/index.js';
import { freePort, sleep, spawnChild, type Child } from './children.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NGINX = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';
export const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';

const tempDirs: string[] = [];
/** A temporary directory, removed by removeTempDirs() (run.ts calls it on the way out). */
export function tempDir(prefix: string): string {
  if (tempDirs.length === 0) process.once('exit', removeTempDirs);
  const dir = mkdtempSync(join(tmpdir(), `shadow-diff-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Server {
  name: string;
  url: string;
  port: number;
  child: Child;
  stop(): Promise<void>;
}

/** Answers fast unless delayMs > 0; node:http in a process of its own. */
export async function startUpstream(name: string, delayMs: number): Promise<Server> {
  const child = spawnChild(name, process.execPath, ['--import', 'tsx', 'bench/upstream-server.ts', '--port', '0', '--delay-ms', String(delayMs)], {
    cwd: ROOT,
  });
  const m = await child.waitFor(/upstream listening on (\d+)/, 15_000);
  const port = Number(m[1]);
  return { name, url: `http://127.0.0.1:${port}`, port, child, stop: () => child.stop() };
}

/** Polls until GET url answers (any status), or throws after timeoutMs. */
async function waitHttp(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${child.name} did not answer on ${url} within ${timeoutMs} ms; output:\n${child.output().slice(-4000)}`);
}

export function nginxConf(opts: { dir: string; listen: number; primary: number; shadow: number; mirror?: boolean }): string {
  const d = opts.dir;
  const mirror = opts.mirror ?? true;
  const isRoot = process.getuid?.() === 0;
  return `# written by bench/support/servers.ts for one benchmark run
${isRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
worker_rlimit_nofile 16384;

events {
  worker_connections 8192;
}

http {
  access_log off;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  keepalive_timeout 120s;
  keepalive_requests 10000000;

  upstream primary {
    server 127.0.0.1:${opts.primary};
    keepalive 64;
    keepalive_requests 10000000;
  }
  upstream shadow {
    server 127.0.0.1:${opts.shadow};
    keepalive 64;
    keepalive_requests 10000000;
  }

  server {
    listen 127.0.0.1:${opts.listen};
    proxy_http_version 1.1;
    proxy_set_header Connection "";

${
  mirror
    ? `    location / {
      mirror /mirror;
      proxy_pass http://primary;
    }
    location = /mirror {
      internal;
      proxy_pass http://shadow$request_uri;
    }`
    : `    location / {
      proxy_pass http://primary;
    }`
}
  }
}
`;
}

/**
 * nginx with `mirror` (or, with mirror: false, a plain `proxy_pass` to the primary): master and one
 * worker, in the foreground, everything in a temp dir.
 */
export async function startNginx(primary: Server, shadow: Server, opts: { mirror?: boolean } = {}): Promise<Server & { conf: string }> {
  const dir = tempDir('nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const conf = nginxConf({ dir, listen: port, primary: primary.port, shadow: shadow.port, mirror: opts.mirror ?? true });
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const child = spawnChild('nginx', NGINX, ['-c', confFile, '-p', `${dir}/`, '-e', join(dir, 'error.log')]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/`, child, 10_000);
  return { name: 'nginx', url, port, child, conf, stop: () => child.stop() };
}

/** The CLI from source, in a clean environment: no SHADOW_DIFF_* setting of the caller's shell changes the setup. */
function spawnCli(name: string, args: string[]): Child {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return spawnChild(name, process.execPath, args, { cwd: ROOT, env });
}

/** What the accounting reads: the ingress's admin port, and the store file the comparator writes. */
export interface Accountable {
  adminUrl: string;
  db: string;
}

export interface ShadowDiff extends Server {
  reportUrl: string;
  adminUrl: string;
  /** Its store: a SQLite file, or a postgres:// URL when one was given. */
  db: string;
}

/** `shadow-diff start` as a real process: embedded queue, 100 % mirroring, store in a temp dir. */
export async function startShadowDiff(
  primary: Server,
  shadow: Server,
  opts: { extraArgs?: string[]; nodeArgs?: string[]; db?: string } = {},
): Promise<ShadowDiff> {
  const dir = tempDir('shadow-diff');
  const [port, reportPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const db = opts.db ?? join(dir, 'store.db');
  const args = [
    ...(opts.nodeArgs ?? []),
    '--import', 'tsx', 'services/cli/main.ts', 'start',
    '--primary', primary.url,
    '--shadow', shadow.url,
    '--listen', `127.0.0.1:${port}`,
    '--report-listen', `127.0.0.1:${reportPort}`,
    '--admin-listen', `127.0.0.1:${adminPort}`,
    '--db', db,
    '--mirror-percent', '100',
    '--log-level', 'warn',
    ...(opts.extraArgs ?? []),
  ];
  const child = spawnCli('shadow-diff', args);
  await child.waitFor(/^shadow-diff start: /m, 30_000);
  return {
    name: 'shadow-diff',
    url: `http://127.0.0.1:${port}`,
    port,
    reportUrl: `http://127.0.0.1:${reportPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    db,
    child,
    stop: () => child.stop(15_000),
  };
}

/** Where a BullMQ setup's processes meet: a Redis and a key prefix of their own. */
export interface QueueTarget {
  redis: string;
  prefix: string;
}

/** `shadow-diff ingress` as a real process: BullMQ on Redis, 100 % mirroring, admin port on. */
export async function startIngress(
  primary: Server,
  shadow: Server,
  queue: QueueTarget,
  opts: { extraArgs?: string[]; nodeArgs?: string[] } = {},
): Promise<Server & { adminUrl: string }> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const args = [
    ...(opts.nodeArgs ?? []),
    '--import', 'tsx', 'services/cli/main.ts', 'ingress',
    '--primary', primary.url,
    '--shadow', shadow.url,
    '--listen', `127.0.0.1:${port}`,
    '--admin-listen', `127.0.0.1:${adminPort}`,
    '--redis', queue.redis,
    '--queue-prefix', queue.prefix,
    '--mirror-percent', '100',
    '--log-level', 'warn',
    ...(opts.extraArgs ?? []),
  ];
  const child = spawnCli('shadow-diff ingress', args);
  await child.waitFor(/^shadow-diff ingress: /m, 30_000);
  const url = `http://127.0.0.1:${port}`;
  // With several ingress workers the line may come before every worker listens.
  await waitHttp(`${url}/`, child, 10_000);
  return { name: 'shadow-diff ingress', url, port, adminUrl: `http://127.0.0.1:${adminPort}`, child, stop: () => child.stop(15_000) };
}

/** `shadow-diff comparator` as a real process: BullMQ on Redis into the SQLite file db. */
export async function startComparatorProcess(name: string, queue: QueueTarget, db: string): Promise<Child> {
  const args = ['--import', 'tsx', 'services/cli/main.ts', 'comparator', '--redis', queue.redis, '--queue-prefix', queue.prefix, '--db', db, '--log-level', 'warn'];
  const child = spawnCli(name, args);
  await child.waitFor(/^shadow-diff comparator: /m, 30_000);
  return child;
}

export interface IngressCounts {
  requests: number;
  mirrored: number;
  /** Drops by reason, as the ingress counted them. */
  dropped: Record<string, number>;
}

/** The ingress's own counters, from its admin port's /metrics. */
export async function ingressCounts(sd: Pick<Accountable, 'adminUrl'>): Promise<IngressCounts> {
  const text = await (await fetch(`${sd.adminUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN);
  const dropped: Record<string, number> = {};
  for (const m of text.matchAll(/^shadowdiff_ingress_dropped_total\{reason="([^"]+)"\} (\S+)$/gm)) dropped[m[1] as string] = Number(m[2]);
  return { requests: value('shadowdiff_ingress_requests_total'), mirrored: value('shadowdiff_ingress_mirrored_total'), dropped };
}

/** The report API's summary (libs/api). */
export type Summary = RunSummary;

export async function reportSummary(sd: ShadowDiff): Promise<Summary> {
  const res = await fetch(`${sd.reportUrl}/api/v1/summary`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`summary: HTTP ${res.status}`);
  return (await res.json()) as Summary;
}

/** What the accounting needs of a summary: every sampled pair ends compared, skipped or dropped. */
export type Totals = Pick<Summary, 'compared' | 'skipped' | 'dropped'>;

export interface Settled {
  /** Requests the ingress sampled for mirroring: mirrored, plus those dropped at the shadow in-flight bound. */
  sampled: number;
  counts: IngressCounts;
  summary: Totals;
  /** compared + skipped + dropped in the store. */
  accounted: number;
  /** From the call to the moment accounted reached sampled (or the deadline). */
  drainMs: number;
  settled: boolean;
}

/**
 * compared, skipped and dropped of the live run, read from the store file by this process (read
 * only, WAL): unlike /api/v1/summary, it takes no time on shadow-diff's event loop, so sampling it
 * during a load does not disturb the latency being measured; and it needs no report API (the
 * BullMQ setup runs none).
 */
export function storeTotals(sd: Pick<Accountable, 'db'>): Totals {
  // No comparator has opened it (a proxy-only setup without one): it holds nothing yet.
  if (!sd.db.startsWith('postgres') && !existsSync(sd.db)) return { compared: 0, skipped: 0, dropped: 0 };
  const db = new Database(sd.db, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    // Every rollup is kept at four spans (minute, hour, day, and the run's total, span 0): the
    // total alone counts each recorded exchange once.
    const exchanges = db.prepare("select coalesce(sum(compared), 0) as compared, coalesce(sum(skipped), 0) as skipped from rollups where run = 'live' and span = 0").get() as {
      compared: number;
      skipped: number;
    };
    const drops = db.prepare("select coalesce(sum(count), 0) as n from drops where run = 'live'").get() as { n: number };
    return { compared: exchanges.compared, skipped: exchanges.skipped, dropped: drops.n };
  } finally {
    db.close();
  }
}

export const accountedOf = (s: Totals) => s.compared + s.skipped + s.dropped;
export const storeAccounted = (sd: Pick<Accountable, 'db'>): number => accountedOf(storeTotals(sd));
/**
 * The ingress counts a pair dropped at the shadow in-flight bound as dropped, not mirrored; every
 * other drop (queue) happens after it counted the pair as mirrored.
 */
export const sampledOf = (c: IngressCounts) => c.mirrored + (c.dropped.shadow_in_flight_limit ?? 0);
/** Pairs the ingress dropped at the queue (its backlog bound, or the queue unavailable): compared by no one. */
export const queueDropsOf = (c: IngressCounts) => (c.dropped.queue_backlog_limit ?? 0) + (c.dropped.queue_unavailable ?? 0);

/** Polls until every sampled pair is accounted for, or timeoutMs passes. */
async function pollSettled(counts: () => Promise<IngressCounts>, totals: () => Promise<Totals>, timeoutMs: number): Promise<Settled> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const c = await counts();
    const summary = await totals();
    const sampled = sampledOf(c);
    const accounted = accountedOf(summary);
    const now = performance.now();
    if (accounted >= sampled || now > deadline) {
      return { sampled, counts: c, summary, accounted, drainMs: now - started, settled: accounted >= sampled };
    }
    await sleep(50);
  }
}

/** Until every sampled pair is in the store as compared, skipped or dropped, read through the report API. */
export function waitSettled(sd: ShadowDiff, timeoutMs: number): Promise<Settled> {
  return pollSettled(() => ingressCounts(sd), () => reportSummary(sd), timeoutMs);
}

/** The same, read from the SQLite file directly (a setup without a report API). */
export function waitStored(sd: Accountable, timeoutMs: number): Promise<Settled> {
  return pollSettled(() => ingressCounts(sd), async () => storeTotals(sd), timeoutMs);
}

export function versionOf(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return text.split('\n').find((l) => /version|wrk/i.test(l))?.trim() ?? (r.error ? `unavailable (${r.error.message})` : 'unknown');
}

export interface UpstreamStats {
  connections: number;
  requests: number;
}

/** Connections accepted and requests served so far by a bench/upstream-server.ts process. */
export async function upstreamStats(server: Server): Promise<UpstreamStats> {
  const res = await fetch(`${server.url}/__bench/stats`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as UpstreamStats;
}
