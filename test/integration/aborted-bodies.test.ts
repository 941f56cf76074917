/**
 * Clients that send half a mirrored request body and disconnect: the copy feeding the primary is
 * ended, the primary's connections go back to their baseline, every pair is counted as
 * client_aborted, and SIGTERM still stops the process in seconds. A real `shadow-diff start`.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../libs/store/index.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A primary that reads each body whole, answers JSON, and counts its open connections. */
async function countingPrimary(): Promise<{ url: string; open(): number; requestsSeen(): number }> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const server: Server = createServer((req, res) => {
    seen++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, open: () => sockets.size, requestsSeen: () => seen };
}

/** Sends the headers of a 100,000-byte POST and the first half of its body, then leaves. */
async function halfBody(port: number, path: string, afterSent: () => Promise<void>): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`POST ${path} HTTP/1.1\r\nHost: app\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`);
  socket.write(Buffer.alloc(50_000, 'a'));
  await afterSent();
  socket.destroy();
}

function start(args: string[]): CliProcess {
  const p = spawnCli(['start', ...args]);
  cleanup.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.kill('SIGKILL');
      await p.exited();
    }
  });
  return p;
}

describe('aborted request bodies', () => {
  it('end the copy feeding the primary, count the pairs as client_aborted, and SIGTERM stops in seconds', async () => {
    const primary = await countingPrimary();
    const shadow = await countingPrimary();
    const db = tempDb();
    const cli = start([
      '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0',
      '--db', db, '--mirror-methods', 'GET,POST',
    ]);
    const bound = await cli.ready();
    const [port, reportPort] = [bound.port('ingress'), bound.port('report')];

    // Baseline: one whole mirrored POST leaves its keep-alive connection(s) to the primary.
    const ok = await request(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: Buffer.alloc(100_000, 'b') });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const baseline = primary.open();

    const aborted = 40;
    for (let i = 0; i < aborted; i++) {
      const before = primary.requestsSeen();
      // Leave only once the primary has the request: its connection is then really in use.
      await halfBody(port, `/upload/${i}`, () => waitFor(() => primary.requestsSeen(), (n) => n > before, 5000, 'the primary to see the request').then(() => {}));
    }
    await waitFor(() => primary.open(), (n) => n <= baseline, 5000, `the primary's open connections back to ${baseline}`);
    // The shadow never gets a body the client did not send whole.
    expect(shadow.requestsSeen()).toBe(1);
    const summary = async () => (await (await request(`http://127.0.0.1:${reportPort}/api/v1/summary`)).body.json()) as RunSummary;
    const counted = await waitFor(summary, (s) => s.skippedByReason.client_aborted === aborted && s.compared === 1, 10_000, 'every pair counted');
    expect(counted).toMatchObject({ compared: 1, skipped: aborted, skippedByReason: { client_aborted: aborted } });

    const stopping = performance.now();
    cli.kill('SIGTERM');
    expect(await cli.exited()).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(10_000);
  }, 60_000);
});
