/**
 * Slow request bodies: --request-timeout bounds how long a client may take to send its request
 * (408, pair counted as request_timeout), and a body still arriving holds no shadow slot.
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { sleep, waitFor } from '../support/wait.js';

const scope = useScope();

interface SlowClient {
  /** Everything the ingress sent back, once the connection is closed or the body is all sent and answered. */
  answer: Promise<string>;
  stop(): void;
}

/** A POST of `length` bytes, the headers at once, then one byte every `everyMs`. */
function slowPost(url: string, length: number, everyMs: number): SlowClient {
  const { port } = new URL(url);
  const socket: Socket = connect({ host: '127.0.0.1', port: Number(port) });
  socket.on('error', () => {});
  let out = '';
  let sent = 0;
  let drip: NodeJS.Timeout | undefined;
  socket.once('connect', () => {
    socket.write(`POST /slow HTTP/1.1\r\nHost: app\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`);
    drip = setInterval(() => {
      if (sent >= length || socket.destroyed) return clearInterval(drip);
      socket.write('x');
      sent++;
    }, everyMs);
  });
  socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
  const answer = new Promise<string>((resolve) => {
    socket.once('close', () => resolve(out));
    socket.on('data', () => {
      // A complete answer to a complete request: the test has what it needs.
      if (sent >= length && /\r\n\r\n[\s\S]*\}$/.test(out)) resolve(out);
    });
  });
  const stop = () => {
    clearInterval(drip);
    socket.destroy();
  };
  scope.defer(stop);
  return { answer, stop };
}

/** A POST of `length` bytes whose body the test sends in parts; resolves the answer once the socket closes. */
async function partsPost(url: string, length: number) {
  const { port } = new URL(url);
  const socket: Socket = connect({ host: '127.0.0.1', port: Number(port) });
  socket.on('error', () => {});
  scope.defer(() => void socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`POST /parts HTTP/1.1\r\nHost: app\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`);
  let out = '';
  socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(out)));
  return { send: (n: number) => socket.write(Buffer.alloc(n, 'p')), answer };
}

describe('slow request bodies', () => {
  it('a body sent within --request-timeout is proxied and compared', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, { got: req.body.length }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { mirrorMethods: 'POST', requestTimeoutMs: '2s' });
    const answer = await slowPost(h.ingress, 10, 50).answer; // ~0.5 s
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('{"got":10}');
    expect(await h.settled(1)).toMatchObject({ compared: 1, skipped: 0, dropped: 0 });
  });

  it('a body not sent within --request-timeout gets 408, and the pair is counted as request_timeout', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, { got: req.body.length }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { mirrorMethods: 'POST', requestTimeoutMs: '500ms' });
    const client = slowPost(h.ingress, 1000, 50); // would take 50 s
    const answer = await Promise.race([client.answer, sleep(5000).then(() => 'no answer within 5 s')]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('SD_ERR_REQUEST_TIMEOUT');
    expect(await h.settled(1)).toMatchObject({ compared: 0, skipped: 1, dropped: 0 });
    expect((await h.summary()).skippedByReason).toEqual({ request_timeout: 1 });
    // The primary never got a whole request, and the ingress keeps serving.
    expect(primary.seen).toHaveLength(0);
    const res = await request(`${h.ingress}/after`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('a primary that answers before the body is in: the rest of the body is still timed, the connection closed, the pair request_timeout', async () => {
    const early = createServer((req, res) => {
      req.resume();
      json(res, 200, { early: true });
    });
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    scope.defer(() => new Promise<void>((resolve) => early.close(() => resolve())));
    early.on('connection', (socket) => scope.defer(() => void socket.destroy()));
    const url = `http://127.0.0.1:${(early.address() as AddressInfo).port}`;
    const h = await scope.harness('embedded', { primary: url, shadow: url }, { mirrorMethods: 'POST', requestTimeoutMs: '500ms' });
    const client = slowPost(h.ingress, 1000, 50); // would take 50 s
    const answer = await Promise.race([client.answer, sleep(5000).then(() => 'still open after 5 s')]);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(await h.settled(1)).toMatchObject({ compared: 0, skipped: 1, dropped: 0 });
    expect((await h.summary()).skippedByReason).toEqual({ request_timeout: 1 });
  });

  it('slow clients beyond --shadow-max-in-flight do not stop the mirroring of other requests', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, { path: req.url }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { mirrorMethods: 'GET,POST', shadowMaxInFlight: '4', requestTimeoutMs: '30s' });
    const slow = Array.from({ length: 12 }, () => slowPost(h.ingress, 10_000, 200));
    await sleep(300); // every slow client has its headers in
    for (let i = 0; i < 20; i++) {
      const res = await request(`${h.ingress}/fast/${i}`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    const summary = await waitFor(() => h.summary(), (s) => s.compared >= 20, 10_000, '20 fast pairs compared');
    expect(summary).toMatchObject({ compared: 20, dropped: 0 });
    for (const s of slow) s.stop();
  });

  it('bounds the bytes of bodies still arriving: past --shadow-max-in-flight-bytes a pair is dropped and counted', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, { got: req.body.length }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: primary.url }, { mirrorMethods: 'POST', shadowMaxInFlightBytes: '2000', captureMaxBytes: '1000' });
    const clients = [await partsPost(h.ingress, 1000), await partsPost(h.ingress, 1000), await partsPost(h.ingress, 1000)];
    // 900 + 900 bytes fit the 2,000-byte budget; the third client's 900 do not.
    for (const c of clients) {
      c.send(900);
      await sleep(100);
    }
    // One after the other, so that a shadow slot is free each time a body completes.
    for (const [i, c] of clients.entries()) {
      c.send(100);
      // Every client gets the primary's whole answer all the same.
      expect(await c.answer).toMatch(/^HTTP\/1\.1 200[\s\S]*\{"got":1000\}$/);
      await h.settled(i + 1);
    }
    expect(await h.summary()).toMatchObject({ compared: 2, skipped: 0, dropped: 1 });
  });
});
