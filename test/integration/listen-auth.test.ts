/**
 * Issue 12, item 4: the report is not served without a token on a network address unless the
 * operator says so. Real `report-api` and `start` processes.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { freePort, spawnCli, useChildren, type CliProcess } from '../support/cli-process.js';
import { tempDb } from '../support/temp.js';

const TOKEN = 'a-long-enough-report-token';
/** Starting a process is slow on a loaded 2-core machine: generous bounds, no timing claim. */
const READY_MS = 30_000;
const TEST_MS = 90_000;
const children = useChildren();

function cli(args: string[], env: Record<string, string> = {}): CliProcess {
  const p = spawnCli(args, env);
  children.push(p);
  return p;
}

const HOW_TO = ['--report-token', 'REPORT_TOKEN', 'SHADOW_DIFF_REPORT_TOKEN', '--allow-unauthenticated', 'SHADOW_DIFF_ALLOW_UNAUTHENTICATED'];

async function expectRefused(p: CliProcess, address: string): Promise<void> {
  expect(await p.exited()).toBe(2);
  const out = p.output();
  expect(out).toContain('SD_ERR_CONFIG_INVALID');
  expect(out).toContain(address);
  for (const words of HOW_TO) expect(out).toContain(words);
  expect(out).not.toMatch(/ready|report http/);
}

/** The report's /healthz answers on 127.0.0.1 (the wildcard address includes it). */
async function healthy(port: number): Promise<void> {
  const res = await request(`http://127.0.0.1:${port}/healthz`);
  await res.body.dump();
  expect(res.statusCode).toBe(200);
}

describe('the report on a network address without a token', () => {
  it('report-api on 0.0.0.0 without a token exits 2 saying how to set one or opt out; the same on :: and a host name', async () => {
    const port = await freePort();
    await Promise.all([
      expectRefused(cli(['report-api', '--db', tempDb(), '--listen', `0.0.0.0:${port}`]), `0.0.0.0:${port}`),
      expectRefused(cli(['report-api', '--db', tempDb()], { SHADOW_DIFF_LISTEN: `[::]:${port}` }), `[::]:${port}`),
      expectRefused(cli(['report-api', '--db', tempDb(), '--listen', `reports.example:${port}`]), `reports.example:${port}`),
    ]);
  }, TEST_MS);

  it('start with --report-listen 0.0.0.0 and no token exits 2, whatever the ingress listens on', async () => {
    const port = await freePort();
    const p = cli(['start', '--primary', 'http://127.0.0.1:9', '--shadow', 'http://127.0.0.1:9', '--db', tempDb(), '--listen', '127.0.0.1:0', '--report-listen', `0.0.0.0:${port}`]);
    await expectRefused(p, `0.0.0.0:${port}`);
  }, TEST_MS);

  it('starts on 0.0.0.0 with a token (flag or env), and the token is required', async () => {
    const p = cli(['report-api', '--db', tempDb(), '--listen', '0.0.0.0:0'], { REPORT_TOKEN: TOKEN });
    const port = (await p.ready(READY_MS)).port('report');
    await healthy(port);
    const refused = await request(`http://127.0.0.1:${port}/api/v1/summary`);
    await refused.body.dump();
    expect(refused.statusCode).toBe(401);

    const s = cli(['start', '--primary', 'http://127.0.0.1:9', '--shadow', 'http://127.0.0.1:9', '--db', tempDb(), '--listen', '127.0.0.1:0', '--report-listen', '0.0.0.0:0', '--report-token', TOKEN]);
    await healthy((await s.ready(READY_MS)).port('report'));
  }, TEST_MS);

  it('starts on 0.0.0.0 without a token when told to, by flag or by environment', async () => {
    const p = cli(['report-api', '--db', tempDb(), '--listen', '0.0.0.0:0', '--allow-unauthenticated']);
    const port = (await p.ready(READY_MS)).port('report');
    const open = await request(`http://127.0.0.1:${port}/api/v1/summary`);
    await open.body.dump();
    expect(open.statusCode).toBe(200);

    const s = cli(['start', '--primary', 'http://127.0.0.1:9', '--shadow', 'http://127.0.0.1:9', '--db', tempDb(), '--listen', '127.0.0.1:0', '--report-listen', '0.0.0.0:0'], { SHADOW_DIFF_ALLOW_UNAUTHENTICATED: 'true' });
    await healthy((await s.ready(READY_MS)).port('report'));
  }, TEST_MS);

  it('still starts without a token on loopback (the default)', async () => {
    const port = await freePort();
    const p = cli(['report-api', '--db', tempDb(), '--listen', `localhost:${port}`]);
    await p.ready(READY_MS);
    const res = await request(`http://localhost:${port}/healthz`);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
  }, TEST_MS);
});
