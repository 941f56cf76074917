/**
 * The package as users get it: `npm pack` (which builds), the tarball installed into an empty
 * directory with `npm install <tgz>` (dependencies from the registry, better-sqlite3 compiled where
 * no prebuilt binary can be fetched), then the installed `shadow-diff` binary: --version, `start`
 * in front of two real upstream servers, and `gate` against that start's report API.
 * Slow (the install takes a minute or more): run on its own with `npm run test:package`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, parseReady, useChildren, type CliProcess } from '../support/cli-process.js';
import { json, startUpstream, type Upstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TOKEN = 'package-test-token-0123456789';

/** The environment of a child: this node first on the PATH, and none of `npm run`'s own variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_prefix|prefix|global)$|^INIT_CWD$/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, SHADOW_DIFF_LOG_LEVEL: 'warn', ...extra };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function spawnInstalled(bin: string, args: string[], cwd: string, env: Record<string, string>): CliProcess {
  const child = spawn(bin, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    ready: (timeoutMs = 20_000) => waitFor(() => out, (o) => /^shadow-diff start: /m.test(o) || child.exitCode !== null, timeoutMs, 'the ready line').then(() => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready:\n${out}`);
      return parseReady(/^shadow-diff start: (.*)$/m.exec(out)?.[1] ?? '');
    }),
    exited: () => exit,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
  };
}

let work: string;
let tarball: string;
let packed: string[];
let bin: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shadow-diff-package-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  // `npm pack --json` prints the build's output first when `prepare` runs: the JSON is the last array.
  const manifest = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, manifest[0]!.filename);
  packed = manifest[0]!.files.map((f) => f.path);

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', tarball], app);
  expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
  bin = join(app, 'node_modules', '.bin', 'shadow-diff');
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('ships the build, the migrations, the web report and the README, and no sources or tests', () => {
    for (const file of ['package.json', 'README.md', 'dist/services/cli/main.js', 'dist/libs/store/open-store.js', 'migrations/sqlite/meta/_journal.json', 'migrations/pg/meta/_journal.json', 'migrations/sqlite/0000_initial.sql', 'migrations/pg/0000_initial.sql', 'services/report-api/web/index.html', 'services/report-api/web/app.js']) {
      expect(packed).toContain(file);
    }
    expect(packed.filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
    expect(packed.filter((f) => /^(test|bench|demo|libs|\.ci)\/|^dist\/(test|demo)\/|\.ts$|\.map$|^services\/(?!report-api\/web\/)/.test(f))).toEqual([]);
  });

  it('is no longer private and names its binary', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { private?: boolean; bin: Record<string, string> };
    expect(manifest.private).toBeUndefined();
    expect(packed).toContain(manifest.bin['shadow-diff']);
  });
});

describe('the installed shadow-diff', () => {
  const children = useChildren();
  const upstreams: Upstream[] = [];
  afterAll(async () => {
    for (const u of upstreams.splice(0)) await u.close();
  });

  it('prints its version', async () => {
    const ran = await run(bin, ['--version'], work);
    expect(ran).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('runs start in front of two servers, and gate reads its verdicts with the documented exit codes', async () => {
    // The shadow differs on one id in four: 5 of 20 requests mismatch.
    const body = (id: number, shadow: boolean) => ({ id, name: `item ${id}`, price: shadow && id % 4 === 0 ? id + 1 : id });
    const primary = await startUpstream((req, res) => json(res, 200, body(Number(req.url.split('/').pop()), false)));
    const shadow = await startUpstream((req, res) => json(res, 200, body(Number(req.url.split('/').pop()), true)));
    upstreams.push(primary, shadow);
    const [listen, reportPort] = [await freePort(), await freePort()];
    const report = `http://127.0.0.1:${reportPort}`;
    const start = spawnInstalled(
      bin,
      ['start', '--primary', primary.url, '--shadow', shadow.url, '--listen', `127.0.0.1:${listen}`, '--report-listen', `127.0.0.1:${reportPort}`, '--db', join(work, 'store.db')],
      work,
      { REPORT_TOKEN: TOKEN },
    );
    children.push(start);
    await start.ready();

    const health = await fetch(`${report}/healthz`);
    expect(health.status).toBe(200);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const page = await fetch(`${report}/`, { headers: auth });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await fetch(`${report}/assets/app.js`, { headers: auth })).status).toBe(200);

    for (let id = 0; id < 20; id += 1) {
      const answer = await fetch(`http://127.0.0.1:${listen}/items/${id}`);
      expect(await answer.json()).toEqual(body(id, false));
    }
    await waitFor(
      async () => (await (await fetch(`${report}/api/v1/summary`, { headers: auth })).json()) as { compared: number; mismatched: number },
      (s) => s.compared === 20,
      20_000,
      '20 comparisons',
    ).then((s) => expect(s.mismatched).toBe(5));

    const gate = (...args: string[]) => run(bin, ['gate', '--report', report, ...args], work, { REPORT_TOKEN: TOKEN });
    const pass = await gate('--max-mismatch-rate', '0.3', '--min-samples', '20');
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/^PASS/);
    expect((await gate('--max-mismatch-rate', '0.1', '--min-samples', '20')).code).toBe(1);
    expect((await gate('--max-mismatch-rate', '0.3', '--min-samples', '1000')).code).toBe(2);
    const noToken = await run(bin, ['gate', '--report', report, '--max-mismatch-rate', '0.3', '--min-samples', '20'], work);
    expect(noToken.code).toBe(3);

    start.kill('SIGTERM');
    expect(await start.exited()).toBe(0);
  });
});
