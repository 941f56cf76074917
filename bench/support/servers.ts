/** The processes under test: upstream servers, nginx with `mirror`, and `shadow-diff start`. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
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

export function nginxConf(opts: { dir: string; listen: number; primary: number; shadow: number }): string {
  const d = opts.dir;
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

    location / {
      mirror /mirror;
      proxy_pass http://primary;
    }
    location = /mirror {
      internal;
      proxy_pass http://shadow$request_uri;
    }
  }
}
`;
}

/** nginx with `mirror`: master and one worker, in the foreground, everything in a temp dir. */
export async function startNginx(primary: Server, shadow: Server): Promise<Server & { conf: string }> {
  const dir = tempDir('nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const conf = nginxConf({ dir, listen: port, primary: primary.port, shadow: shadow.port });
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const child = spawnChild('nginx', NGINX, ['-c', confFile, '-p', `${dir}/`, '-e', join(dir, 'error.log')]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/`, child, 10_000);
  return { name: 'nginx', url, port, child, conf, stop: () => child.stop() };
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
  // A clean environment: no SHADOW_DIFF_* setting of the caller's shell changes the setup.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const child = spawnChild('shadow-diff', process.execPath, args, { cwd: ROOT, env });
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

export interface IngressCounts {
  requests: number;
  mirrored: number;
  /** Drops by reason, as the ingress counted them. */
  dropped: Record<string, number>;
}

/** The ingress's own counters, from its admin port's /metrics. */
export async function ingressCounts(sd: ShadowDiff): Promise<IngressCounts> {
  const text = await (await fetch(`${sd.adminUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN);
  const dropped: Record<string, number> = {};
  for (const m of text.matchAll(/^shadowdiff_ingress_dropped_total\{reason="([^"]+)"\} (\S+)$/gm)) dropped[m[1] as string] = Number(m[2]);
  return { requests: value('shadowdiff_ingress_requests_total'), mirrored: value('shadowdiff_ingress_mirrored_total'), dropped };
}

export interface Summary {
  compared: number;
  matched: number;
  mismatched: number;
  skipped: number;
  shadowErrors: number;
  dropped: number;
}

export async function reportSummary(sd: ShadowDiff): Promise<Summary> {
  const res = await fetch(`${sd.reportUrl}/api/v1/summary`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`summary: HTTP ${res.status}`);
  return (await res.json()) as Summary;
}

export interface Settled {
  /** Requests the ingress sampled for mirroring: mirrored, plus those dropped at the shadow in-flight bound. */
  sampled: number;
  counts: IngressCounts;
  summary: Summary;
  /** compared + skipped + dropped in the store. */
  accounted: number;
  /** From the call to the moment accounted reached sampled (or the deadline). */
  drainMs: number;
  settled: boolean;
}

/**
 * compared + skipped + dropped of the live run, read from the store file by this process (read
 * only, WAL): unlike /api/v1/summary, it takes no time on shadow-diff's event loop, so sampling it
 * during a load does not disturb the latency being measured.
 */
export function storeAccounted(sd: ShadowDiff): number {
  const db = new Database(sd.db, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    // The rollups count every recorded exchange, compared or skipped (the exchanges are not kept).
    const exchanges = db.prepare("select coalesce(sum(compared + skipped), 0) as n from rollups where run = 'live'").get() as { n: number };
    const drops = db.prepare("select coalesce(sum(count), 0) as n from drops where run = 'live'").get() as { n: number };
    return exchanges.n + drops.n;
  } finally {
    db.close();
  }
}

export const accountedOf = (s: Summary) => s.compared + s.skipped + s.dropped;
/**
 * The ingress counts a pair dropped at the shadow in-flight bound as dropped, not mirrored; every
 * other drop (queue) happens after it counted the pair as mirrored.
 */
export const sampledOf = (c: IngressCounts) => c.mirrored + (c.dropped.shadow_in_flight_limit ?? 0);

/** Polls until every sampled pair is in the store as compared, skipped or dropped, or timeoutMs passes. */
export async function waitSettled(sd: ShadowDiff, timeoutMs: number): Promise<Settled> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const counts = await ingressCounts(sd);
    const summary = await reportSummary(sd);
    const sampled = sampledOf(counts);
    const accounted = accountedOf(summary);
    const now = performance.now();
    if (accounted >= sampled || now > deadline) {
      return { sampled, counts, summary, accounted, drainMs: now - started, settled: accounted >= sampled };
    }
    await sleep(50);
  }
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
