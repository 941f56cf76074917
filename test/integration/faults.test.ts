import { sql } from 'drizzle-orm';
/** Faults and bad input: the client never notices, and every pair ends recorded with its reason. */
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../libs/logger.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { openStore, summary } from '../../libs/store/index.js';
import { startComparator } from '../../services/comparator/comparator-service.js';
import { makeExchange } from '../support/fixtures.js';
import { json } from '../support/upstream.js';
import { tempDb } from '../support/temp.js';
import { useScope } from '../support/scope.js';
import { sleep, waitFor } from '../support/wait.js';

const scope = useScope();
const upstream = scope.upstream;

/** A raw TCP "HTTP server" that answers whatever `onRequest` writes. */
async function rawServer(onRequest: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let seen = '';
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\r\n\r\n')) {
        seen = '';
        onRequest(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const harness = scope.harness;

/** Sends raw bytes to a port and returns what comes back before the server closes or 2 s pass. */
async function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let out = '';
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    socket.on('data', (c) => (out += c.toString('latin1')));
    socket.on('error', () => resolve(out));
    socket.on('close', () => resolve(out));
    setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, 2000);
  });
}

const PRIMARY = { id: 1, ok: true };

describe('a misbehaving shadow', () => {
  it.each([
    ['hangs', 'timeout', (_s: Socket) => {}],
    ['answers garbage', 'invalid_response', (s: Socket) => s.end('this is not http at all\r\n\r\n')],
    ['sends an invalid status line', 'invalid_response', (s: Socket) => s.end('HTTP/1.1 2x0 WHAT\r\ncontent-length: 0\r\n\r\n')],
    ['resets the connection', 'connection_reset', (s: Socket) => s.resetAndDestroy()],
    [
      'drips its body',
      'timeout',
      (s: Socket) => {
        s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
        const drip = setInterval(() => (s.destroyed ? clearInterval(drip) : s.write(' ')), 100);
        s.on('close', () => clearInterval(drip));
      },
    ],
  ] as const)('%s: the client is unaffected and the pair is a shadow error (%s)', async (_name, code, behave) => {
    const primary = await upstream((_req, res) => json(res, 200, PRIMARY));
    const shadow = await rawServer(behave);
    const h = await harness('embedded', { primary: primary.url, shadow }, { shadowTimeoutMs: '500ms' });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await request(`${h.ingress}/items/${i}`);
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual(PRIMARY);
      expect(performance.now() - started).toBeLessThan(400); // never the shadow's 500 ms timeout
    }
    expect(await h.settled(3)).toMatchObject({ compared: 3, mismatched: 3, shadowErrors: 3 });
    const list = await h.get<{ items: { id: string }[] }>('/api/v1/discrepancies');
    const detail = await h.get<{ shadow: { error: string } }>(`/api/v1/discrepancies/${list.items[0]?.id}`);
    expect(detail.shadow.error.startsWith(`${code}:`), detail.shadow.error).toBe(true);
  });
});

describe('a failing primary', () => {
  it('answers 504 when the primary times out, stays up, and records the pair as skipped', async () => {
    let slow = true;
    const primary = await upstream((_req, res) => {
      if (slow) setTimeout(() => json(res, 200, PRIMARY), 1500);
      else json(res, 200, PRIMARY);
    });
    const shadow = await upstream((_req, res) => json(res, 200, PRIMARY));
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url }, { primaryTimeoutMs: '300ms' });
    const res = await request(`${h.ingress}/x`);
    expect(res.statusCode).toBe(504);
    expect(await res.body.json()).toMatchObject({ code: 'SD_ERR_PRIMARY_TIMEOUT' });
    slow = false;
    const ok = await request(`${h.ingress}/y`);
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    expect(await h.settled(2)).toMatchObject({ skipped: 1, compared: 1 });
  });
});

describe('a client that goes away', () => {
  it('records the pair as client_aborted, not as a primary failure', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    const primary = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(big);
    });
    const h = await harness('embedded', { primary: primary.url, shadow: primary.url }, { captureMaxBytes: '8MiB' });
    const res = await request(`${h.ingress}/big`);
    await res.body.dump({ limit: 1024 }); // reads a little, then drops the connection
    expect(await h.settled(1)).toMatchObject({ compared: 0, skipped: 1 });
    expect((await h.summary()).skippedByReason).toEqual({ client_aborted: 1 });
  });
});

describe('bad input to the ingress', () => {
  it('answers malformed requests and huge headers with a 4xx and keeps serving', async () => {
    const primary = await upstream((_req, res) => json(res, 200, PRIMARY));
    const h = await harness('embedded', { primary: primary.url, shadow: primary.url });
    expect(await rawExchange(h.ingress, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawExchange(h.ingress, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await rawExchange(h.ingress, 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 (400|200)/);
    const res = await request(`${h.ingress}/still-up`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('compares invalid JSON, invalid UTF-8 and binary bodies without crashing', async () => {
    const bodies: Record<string, { type: string; primary: Buffer; shadow: Buffer }> = {
      '/invalid-json': { type: 'application/json', primary: Buffer.from('{"a": 1,'), shadow: Buffer.from('{"a": 2,') },
      '/invalid-utf8': { type: 'text/plain; charset=utf-8', primary: Buffer.from([0xff, 0xfe, 0x41]), shadow: Buffer.from([0xff, 0xfe, 0x42]) },
      '/binary': { type: 'application/octet-stream', primary: Buffer.from([0, 1, 2, 3]), shadow: Buffer.from([0, 1, 2, 3]) },
    };
    const serve = (side: 'primary' | 'shadow') => (req: { url: string }, res: import('node:http').ServerResponse) => {
      const b = bodies[req.url] as (typeof bodies)[string];
      res.writeHead(200, { 'content-type': b.type });
      res.end(b[side]);
    };
    const primary = await upstream(serve('primary'));
    const shadow = await upstream(serve('shadow'));
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url });
    for (const path of Object.keys(bodies)) {
      const res = await request(`${h.ingress}${path}`);
      expect(Buffer.from(await res.body.arrayBuffer()).equals(bodies[path]?.primary as Buffer)).toBe(true);
    }
    expect(await h.settled(3)).toMatchObject({ compared: 3, mismatched: 2, matched: 1 });
  });

  it('records a million-element array as skipped over its budget, and the worker keeps going', async () => {
    const huge = Buffer.from(JSON.stringify({ items: Array.from({ length: 1_000_000 }, (_, i) => i) }));
    const primary = await upstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/huge' ? huge : JSON.stringify(PRIMARY));
    });
    const h = await harness('embedded', { primary: primary.url, shadow: primary.url }, { captureMaxBytes: '16MiB' });
    const res = await request(`${h.ingress}/huge`);
    expect(Buffer.from(await res.body.arrayBuffer()).length).toBe(huge.length);
    await request(`${h.ingress}/small`).then((r) => r.body.dump());
    expect(await h.settled(2)).toMatchObject({ skipped: 1, compared: 1, matched: 1 });
    const { endpoints } = await h.get<{ endpoints: { endpoint: string; compared: number; skipped: number; skippedByReason: Record<string, number> }[] }>('/api/v1/endpoints');
    expect(endpoints.find((e) => e.endpoint === 'GET /huge')).toMatchObject({ compared: 0, skipped: 1, skippedByReason: { comparison_budget_exceeded: 1 } });
    expect(endpoints.find((e) => e.endpoint === 'GET /small')).toMatchObject({ compared: 1, skipped: 0 });
  });
});

describe('where the ingress connects', () => {
  it('only to the configured upstreams, whatever the request line or Host header names (no SSRF)', async () => {
    const primary = await upstream((req, res) => json(res, 200, { seen: req.url }));
    const elsewhere = await upstream((_req, res) => json(res, 200, { wrong: true }));
    const h = await harness('embedded', { primary: primary.url, shadow: primary.url });
    const absolute = await rawExchange(h.ingress, `GET ${elsewhere.url}/steal HTTP/1.1\r\nHost: ${new URL(elsewhere.url).host}\r\nConnection: close\r\n\r\n`);
    const viaHost = await rawExchange(h.ingress, `GET /steal HTTP/1.1\r\nHost: ${new URL(elsewhere.url).host}\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n`);
    expect(absolute).not.toContain('"wrong"');
    expect(viaHost).toContain('"seen":"/steal"');
    expect(elsewhere.seen).toHaveLength(0);
  });
});

describe('the store under pressure', () => {
  it('retries while SQLite is locked, then counts the exchange once', async () => {
    const file = tempDb();
    const store = await openStore(file);
    const queue = createEmbeddedQueue({ maxBacklog: 10, backoffMs: 300 });
    const comparator = startComparator({ queue, store, concurrency: 1, settings: {}, logger: createLogger('silent', 'test') });
    scope.defer(async () => {
      await comparator.close();
      await store.close();
    });
    await store.db.all(sql`pragma busy_timeout = 200`); // fail fast while the other connection holds the lock
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    const ex = makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    await sleep(700); // at least two attempts hit the lock
    expect((await summary(store, 'live')).compared).toBe(0);
    locker.exec('COMMIT');
    locker.close();
    await waitFor(async () => (await summary(store, 'live')).compared, (n) => n === 1, 10_000, 'the retried job to land');
    // Nothing waiting or retrying: the count is final.
    await waitFor(() => comparator.consumer.backlog(), (n) => n === 0, 10_000, 'an empty backlog');
    expect(await summary(store, 'live')).toMatchObject({ compared: 1, mismatched: 1 });
  });

  it('counts the pair as skipped (comparator_error) when the database is too full for its outcome', async () => {
    const file = tempDb();
    const store = await openStore(file);
    const failed: string[] = [];
    const queue = createEmbeddedQueue({ maxBacklog: 10, backoffMs: 20, onFailed: (job) => failed.push(job.id) });
    const comparator = startComparator({ queue, store, concurrency: 1, settings: {}, logger: createLogger('silent', 'test') });
    scope.defer(async () => {
      await comparator.close();
      await store.close();
    });
    const [{ page_count: pages } = { page_count: 0 }] = await store.db.all<{ page_count: number }>(sql`pragma page_count`);
    await store.db.all(sql.raw(`pragma max_page_count = ${pages}`)); // as good as a full disk: the evidence cannot fit, one small row can
    const big = { blob: 'x'.repeat(200_000) };
    const ex = makeExchange({ primaryJson: big, shadowJson: { ...big, changed: true } });
    await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    await waitFor(async () => (await summary(store, 'live')).skipped, (n) => n === 1, 10_000, 'the pair to be counted');
    expect(await summary(store, 'live')).toMatchObject({ compared: 0, skipped: 1, skippedByReason: { comparator_error: 1 } });
    expect(await store.db.all(sql`select count(*) as n from discrepancies`)).toEqual([{ n: 0 }]);
    expect(failed).toEqual([]);
  });

  it('fails the job visibly when nothing at all can be written, counting nothing it could not store', async () => {
    const file = tempDb();
    const store = await openStore(file);
    const failed: string[] = [];
    const queue = createEmbeddedQueue({ maxBacklog: 10, backoffMs: 20, onFailed: (job) => failed.push(job.id) });
    const comparator = startComparator({ queue, store, concurrency: 1, settings: {}, logger: createLogger('silent', 'test') });
    scope.defer(async () => {
      await comparator.close();
      await store.close();
    });
    await store.db.run(sql`pragma query_only = ON`); // every write refused, the fallback's too
    const ex = makeExchange({ primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await queue.publisher.publish('compare-exchange', ex.id, { v: 1, exchange: ex });
    await waitFor(() => failed.length, (n) => n === 1, 10_000, 'the job to fail for good');
    expect(failed).toEqual([ex.id]);
    expect(await summary(store, 'live')).toMatchObject({ compared: 0, skipped: 0 });
  });
});
