/**
 * `npm run demo`: the whole loop on one machine, in a few seconds.
 *
 * Starts the sample reviews service as v1 (primary) and v2 (shadow) in this process, runs the real
 * `shadow-diff start` CLI as a child process (embedded queue, SQLite in a temporary directory),
 * sends traffic through the ingress, checks that the client only ever saw v1's answers, waits for
 * the comparator to account for every mirrored exchange, and prints what the report API says.
 *
 * Options: --requests N (default 300), --db FILE (keep the store there instead of a temporary
 * directory), --keep (leave everything running until Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import type { DiscrepancyDetail, DiscrepancyListItem, EndpointStats, RunSummary } from '../libs/api/index.js';
import { startSampleService, type SampleService } from './sample-service.js';

const READY_TIMEOUT_MS = 15_000;
const SETTLE_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 5_000;
const CONCURRENCY = 8;
/** Fields that change on every call by design: not part of the client-side check. */
const VOLATILE_FIELDS = ['updatedAt', 'renderId'];

class DemoError extends Error {}
/** A failure that already says what became of the child and shows its last output. */
class ChildError extends DemoError {}

/**
 * Every HTTP call of the demo goes through this agent, so that stopping can drop the client's
 * connections first (an interrupted demo must not leave requests or keep-alive sockets behind).
 */
const agent = new Agent({ keepAliveTimeout: 4_000, connections: 16 });
/** Aborted when the demo is interrupted: every request in flight ends at once. */
const interruption = new AbortController();

interface Answer {
  status: number;
  contentType: string | null;
  server: string | null;
  text: string;
}

const headerText = (value: string | string[] | undefined): string | null => (value === undefined ? null : Array.isArray(value) ? value.join(', ') : value);

async function get(url: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
  const { statusCode, headers, body } = await request(url, {
    dispatcher: agent,
    signal: AbortSignal.any([interruption.signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await body.text();
  return { status: statusCode, contentType: headerText(headers['content-type']), server: headerText(headers.server), text };
}

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The package root: the nearest folder above this file with package.json and the CLI source. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'services/cli/main.ts'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new DemoError('cannot find the shadow-diff package root (package.json with services/cli/main.ts)');
    dir = parent;
  }
}

/** Free TCP ports on 127.0.0.1: all held open together so they are distinct, then released. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const server = createServer();
          server.once('error', fail);
          server.listen(0, '127.0.0.1', () => ok(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  return ports;
}

/** The last `max` characters written to a stream, for error messages. */
function tail(max: number): { push(chunk: Buffer): void; text(): string } {
  let buffer = '';
  return {
    push(chunk) {
      buffer = (buffer + chunk.toString('utf8')).slice(-max);
    },
    text: () => buffer.trim(),
  };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const { status, text } = await get(url);
  try {
    return { status, body: JSON.parse(text) as T };
  } catch {
    throw new DemoError(`${url} answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function short(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, col) => (rightAligned.has(col) ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// the child: `shadow-diff start`

interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  readyLine: string | null;
  output(): string;
}

function spawnCli(root: string, args: string[]): Child {
  // The demo is the embedded, single-process setup: settings from the caller's environment
  // (REDIS_URL would switch to BullMQ) must not leak into it.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('SHADOW_DIFF_') || key === 'REDIS_URL') continue;
    env[key] = value;
  }
  const proc = spawn(process.execPath, ['--import', 'tsx', 'services/cli/main.ts', 'start', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches the demo only, which then stops the child with SIGTERM.
    detached: true,
  });
  const out = tail(8_000);
  const child: Child = {
    process: proc,
    exit: null,
    readyLine: null,
    output: out.text,
    exited: new Promise((ok) => {
      proc.once('exit', (code, signal) => {
        child.exit = { code, signal };
        ok({ code, signal });
      });
    }),
  };
  let pending = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    out.push(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('shadow-diff start:')) child.readyLine = line;
  });
  proc.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  proc.once('error', (error) => out.push(Buffer.from(`\nspawn failed: ${error.message}\n`)));
  return child;
}

function childFailure(child: Child, what: string): ChildError {
  const how = child.exit ? `it exited (code ${child.exit.code ?? '-'}, signal ${child.exit.signal ?? '-'})` : 'it is still running';
  const output = child.output();
  return new ChildError(`${what}; ${how}.${output ? `\n--- shadow-diff output (last lines) ---\n${output}\n---` : ' It printed nothing.'}`);
}

/** Until the report API's /healthz answers 200 and the CLI has said it is ready (the ingress starts last). */
async function waitReady(child: Child, reportUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let healthy = false;
  while (Date.now() < deadline) {
    if (child.exit) throw childFailure(child, 'shadow-diff stopped before it was ready');
    if (!healthy) {
      healthy = await get(`${reportUrl}/healthz`, 1_000).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    if (healthy && child.readyLine) return;
    await sleep(100);
  }
  throw childFailure(child, `shadow-diff was not ready after ${READY_TIMEOUT_MS / 1000} s (report /healthz ${healthy ? 'answered' : 'did not answer'})`);
}

async function stopChild(child: Child): Promise<void> {
  if (child.exit) throw childFailure(child, 'shadow-diff stopped on its own');
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw childFailure(child, `shadow-diff did not stop cleanly on SIGTERM (code ${code ?? '-'}, signal ${signal ?? '-'})`);
}

// ---------------------------------------------------------------------------------------------
// traffic

/** A fixed mix over the sample's endpoints, spread over a few ids (some of them hit v2's changes). */
function requestPaths(n: number): string[] {
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const slot = i % 10;
    if (slot < 4) paths.push(`/reviews/${1 + ((i * 7) % 15)}`); // 5, 10, 15: rating as string; 13: 500
    else if (slot < 7) paths.push(`/products/${1 + ((i * 5) % 14)}`); // 3, 6, 9, 12: price; 7, 14: currency
    else if (slot < 9) paths.push(`/products/${1 + (i % 5)}/reviews?page=${1 + (i % 3)}`);
    else paths.push('/health');
  }
  return paths;
}

interface Seen {
  status: number;
  contentType: string | null;
  server: string | null;
  body: unknown;
}

function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE_FIELDS.includes(k))
        .map(([k, v]) => [k, withoutVolatile(v)]),
    );
  }
  return value;
}

async function fetchSeen(url: string): Promise<Seen> {
  const { text, ...rest } = await get(url);
  let body: unknown = text;
  try {
    body = withoutVolatile(JSON.parse(text));
  } catch {
    // not JSON: compared as text
  }
  return { ...rest, body };
}

/** Sends every path through the ingress and straight to v1; returns the client-side mismatches. */
async function sendTraffic(paths: string[], ingressUrl: string, primaryUrl: string): Promise<{ wrong: string[]; ms: number }> {
  const wrong: string[] = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < paths.length && !interruption.signal.aborted) {
      const path = paths[next++] as string;
      let viaIngress: Seen;
      let direct: Seen;
      try {
        [viaIngress, direct] = await Promise.all([fetchSeen(`${ingressUrl}${path}`), fetchSeen(`${primaryUrl}${path}`)]);
      } catch (error) {
        next = paths.length; // the other workers stop too
        throw new DemoError(`GET ${path} failed: ${(error as Error).message}`);
      }
      if (JSON.stringify(viaIngress) !== JSON.stringify(direct)) {
        wrong.push(`GET ${path}: through the ingress ${short(viaIngress, 120)}, from v1 ${short(direct, 120)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { wrong, ms: Date.now() - started };
}

/** Until compared + skipped + dropped reaches the number of mirrored requests. */
async function waitSettled(child: Child, reportUrl: string, run: string, mirrored: number): Promise<RunSummary> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last: RunSummary | undefined;
  while (Date.now() < deadline) {
    if (child.exit) throw childFailure(child, 'shadow-diff stopped while comparing');
    const { status, body } = await getJson<RunSummary>(`${reportUrl}/api/v1/summary?run=${encodeURIComponent(run)}`);
    if (status !== 200) throw new DemoError(`GET /api/v1/summary answered ${status}: ${JSON.stringify(body)}`);
    last = body;
    if (body.compared + body.skipped + body.dropped >= mirrored) return body;
    await sleep(100);
  }
  const accounted = last ? last.compared + last.skipped + last.dropped : 0;
  throw new DemoError(`only ${accounted} of ${mirrored} mirrored exchanges were compared, skipped or dropped after ${SETTLE_TIMEOUT_MS / 1000} s (last summary: ${JSON.stringify(last)})`);
}

// ---------------------------------------------------------------------------------------------
// report

async function printReport(reportUrl: string, run: string, summary: RunSummary, mirrored: number): Promise<void> {
  const q = `run=${encodeURIComponent(run)}`;
  const accounted = summary.compared + summary.skipped + summary.dropped;
  if (accounted > mirrored) console.log(`warning: ${accounted} outcomes for ${mirrored} mirrored requests: some exchange was counted twice`);
  console.log(
    `summary: compared ${summary.compared}, matched ${summary.matched}, mismatched ${summary.mismatched} ` +
      `(${percent(summary.mismatchRate)}), skipped ${summary.skipped}, shadow errors ${summary.shadowErrors}, dropped ${summary.dropped}`,
  );

  const endpoints = await getJson<{ endpoints: EndpointStats[] }>(`${reportUrl}/api/v1/endpoints?${q}`);
  if (endpoints.status !== 200) throw new DemoError(`GET /api/v1/endpoints answered ${endpoints.status}`);
  const rows = [['endpoint', 'compared', 'mismatched', 'rate', 'top fields', 'noise (shadow/secondary diffs)']];
  for (const e of endpoints.body.endpoints) {
    const real = e.fields.filter((f) => !f.noise);
    const fields = real.slice(0, 3).map((f) => `${f.path} (${f.mismatches})`);
    if (real.length > 3) fields.push(`+${real.length - 3} more`);
    const noise = e.fields.filter((f) => f.noise).map((f) => `${f.path} (${f.shadowDiffs}/${f.secondaryDiffs})`);
    rows.push([e.endpoint, String(e.compared), String(e.mismatched), percent(e.mismatchRate), fields.join(', ') || '-', noise.join(', ') || '-']);
  }
  console.log(`\n${table(rows, new Set([1, 2, 3]))}`);

  const list = await getJson<{ items: DiscrepancyListItem[] }>(`${reportUrl}/api/v1/discrepancies?${q}&limit=200`);
  if (list.status !== 200) throw new DemoError(`GET /api/v1/discrepancies answered ${list.status}`);
  // The most telling one: same status on both sides (a failed shadow differs everywhere), then
  // the most differing paths; ties go to the first listed.
  const score = (item: DiscrepancyListItem) => (item.primaryStatus === item.shadowStatus ? 10_000 : 0) + item.paths.length;
  const sample = list.body.items.reduce<DiscrepancyListItem | undefined>((best, item) => (!best || score(item) > score(best) ? item : best), undefined);
  if (!sample) {
    console.log('\nno discrepancy recorded');
    return;
  }
  const detail = await getJson<DiscrepancyDetail>(`${reportUrl}/api/v1/discrepancies/${encodeURIComponent(sample.id)}`);
  if (detail.status !== 200) throw new DemoError(`GET /api/v1/discrepancies/${sample.id} answered ${detail.status}`);
  const d = detail.body;
  console.log(`\nsample discrepancy ${d.id} (${d.endpoint}, risk ${d.risk}):`);
  console.log(`  ${d.request.method} ${d.request.url} -> primary ${d.primary.status}, shadow ${d.shadow.status ?? d.shadow.error ?? '-'}`);
  console.log(
    table(
      d.differences.filter((x) => !x.noise).map((x) => [
        '   ',
        x.path,
        x.kind,
        // Optional in the schema; the store always gives it.
        x.risk ?? '-',
        // Added and removed fields carry null on the side that lacks them.
        `${x.kind === 'field_added' || x.kind === 'header_added' ? '(absent)' : short(x.primary)} -> ${x.kind === 'field_removed' || x.kind === 'header_removed' ? '(absent)' : short(x.shadow)}`,
      ]),
      new Set(),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// main

const USAGE = 'usage: npm run demo -- [--requests N] [--db FILE] [--keep]';

function options() {
  try {
    return parseArgs({
      options: {
        requests: { type: 'string', default: '300' },
        db: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new DemoError(`${(error as Error).message}\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const values = options();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const requests = Number(values.requests);
  if (!Number.isInteger(requests) || requests < 1 || requests > 100_000) throw new DemoError(`--requests must be 1..100000, not ${values.requests}`);

  const root = packageRoot();
  const tempDir = values.db === undefined ? await mkdtemp(join(tmpdir(), 'shadow-diff-demo-')) : undefined;
  const db = values.db === undefined ? join(tempDir as string, 'shadow-diff.db') : resolve(values.db);
  // A run of its own, so a reused --db does not mix in earlier traffic.
  const run = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;

  const samples: SampleService[] = [];
  let child: Child | undefined;
  const cleanup = async () => {
    interruption.abort();
    await agent.destroy().catch(() => undefined);
    if (child && !child.exit) {
      child.process.kill('SIGTERM');
      await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS)]);
      if (!child.exit) child.process.kill('SIGKILL');
    }
    await Promise.allSettled(samples.map((s) => s.close()));
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  // Ctrl-C: with --keep it is the way to stop; otherwise it interrupts the demo, still cleaning up.
  // A second Ctrl-C does not wait: the child is killed (it has its own process group, so it would
  // otherwise outlive the demo).
  let onSignal: (() => void) | undefined;
  let signals = 0;
  let interrupted = false;
  const signalled = (signal: string) => {
    if (++signals > 1) {
      child?.process.kill('SIGKILL');
      process.exit(130);
    }
    if (onSignal) return onSignal();
    interrupted = true;
    console.error(`\ninterrupted (${signal}): stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => signalled('SIGINT'));
  process.on('SIGTERM', () => signalled('SIGTERM'));

  try {
    const primary = await startSampleService({ version: 'v1' });
    samples.push(primary);
    const shadow = await startSampleService({ version: 'v2' });
    samples.push(shadow);
    // A second copy of v1: what it differs on by itself (updatedAt, renderId) is noise, not a regression.
    const secondary = await startSampleService({ version: 'v1' });
    samples.push(secondary);
    const [ingressPort, reportPort] = (await freePorts(2)) as [number, number];
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const reportUrl = `http://127.0.0.1:${reportPort}`;

    console.log('shadow-diff demo');
    console.log(`  primary  sample v1   ${primary.url}`);
    console.log(`  shadow   sample v2   ${shadow.url}`);
    console.log(`  secondary sample v1  ${secondary.url}  (noise cancellation)`);
    console.log('  rules                demo/shadow-diff.yaml');
    console.log(`  ingress              ${ingressUrl}`);
    console.log(`  report API           ${reportUrl}`);
    console.log(`  store                ${db}${tempDir ? ' (temporary)' : ''}, run ${run}`);

    const startedAt = Date.now();
    child = spawnCli(root, [
      '--primary', primary.url,
      '--shadow', shadow.url,
      '--secondary', secondary.url,
      '--config', join(root, 'demo', 'shadow-diff.yaml'),
      '--listen', `127.0.0.1:${ingressPort}`,
      '--report-listen', `127.0.0.1:${reportPort}`,
      '--db', db,
      '--run', run,
      '--log-level', 'warn',
    ]);
    await waitReady(child, reportUrl);
    console.log(`\nshadow-diff start ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const paths = requestPaths(requests);
    const { wrong, ms } = await sendTraffic(paths, ingressUrl, primary.url);
    console.log(`sent ${paths.length} GET requests through the ingress in ${(ms / 1000).toFixed(1)} s (${CONCURRENCY} at a time)`);
    console.log(`client responses differing from v1: ${wrong.length}`);
    if (wrong.length > 0) {
      throw new DemoError(`the client saw ${wrong.length} response(s) that are not v1's:\n  ${wrong.slice(0, 5).join('\n  ')}`);
    }

    const settleStart = Date.now();
    const summary = await waitSettled(child, reportUrl, run, paths.length);
    console.log(`all ${paths.length} mirrored exchanges accounted for ${((Date.now() - settleStart) / 1000).toFixed(1)} s after the last response\n`);
    await printReport(reportUrl, run, summary, paths.length);

    if (values.keep) {
      console.log(`\nstill running (--keep): send traffic to ${ingressUrl}, read ${reportUrl}/api/v1/summary?run=${run}; Ctrl-C to stop`);
      const running = child;
      await new Promise<void>((ok, fail) => {
        onSignal = ok;
        void running.exited.then(() => fail(childFailure(running, 'shadow-diff stopped on its own')));
      });
      console.log('stopping');
    }

    await agent.close();
    const stopStart = Date.now();
    await stopChild(child);
    await Promise.all(samples.splice(0).map((s) => s.close()));
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    console.log(`\nshadow-diff stopped cleanly in ${((Date.now() - stopStart) / 1000).toFixed(1)} s; ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`);
  } catch (error) {
    // Interrupted: whatever failed failed because of it; the signal handler exits with 130.
    if (interrupted) return new Promise<never>(() => undefined);
    await cleanup().catch(() => undefined);
    // A request that failed because shadow-diff died: say so, with what it printed.
    if (child?.exit && !(error instanceof ChildError)) throw childFailure(child, (error as Error).message);
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof DemoError ? error.message : ((error as Error).stack ?? String(error))}`);
    process.exit(1);
  },
);
