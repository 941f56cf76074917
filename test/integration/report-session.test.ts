/**
 * The report's browser session (issue 12, items 2 and 3): the login cookie is not the token, is
 * Secure over https, never reaches the primary or the shadow, and cannot be ridden by a form on
 * another origin; bearer callers are unaffected. Real listens, real upstreams.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import { openStore, type Store } from '../../libs/store/index.js';
import { createJobHandler } from '../../services/comparator/handle-job.js';
import { buildReportApp } from '../../services/report-api/report-app.js';
import { webFolder } from '../../services/report-api/web-routes.js';
import { makeExchange } from '../support/fixtures.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';
import { json } from '../support/upstream.js';

const TOKEN = 'a-long-enough-report-token';
const queue = createEmbeddedQueue({ maxBacklog: 1000 });
let store: Store;
let app: FastifyInstance;
let base: string;
let proxied: FastifyInstance;
let proxiedBase: string;

beforeAll(async () => {
  store = await openStore(tempDb());
  const handle = createJobHandler(store, { capture: true });
  await handle({ name: 'compare-exchange', id: 'cap-1', payload: { v: 1, exchange: makeExchange({ id: 'cap-1', primaryJson: { a: 1 }, shadowJson: { a: 1 } }) }, attempt: 0 });
  const replays = { publisher: queue.publisher, captureMaxBytes: 1024 * 1024, targets: { allow: ['http://127.0.0.1:9'], maxConcurrent: 64 } };
  app = await buildReportApp({ store, defaultRun: 'live', token: TOKEN, replays });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  proxied = await buildReportApp({ store, defaultRun: 'live', token: TOKEN, replays, trustProxy: true });
  proxiedBase = await proxied.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await proxied.close();
  await queue.close();
  await store.close();
});

async function login(at = base, headers: Record<string, string> = {}) {
  const res = await request(`${at}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  await res.body.dump();
  expect(res.statusCode).toBe(303);
  const setCookie = String(res.headers['set-cookie']);
  return { setCookie, cookie: setCookie.split(';')[0] as string };
}

async function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string }) {
  const res = await request(base + path, { method: (opts.method ?? 'POST') as 'POST', headers: opts.headers ?? {}, body: opts.body ?? null });
  const text = await res.body.text();
  let body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.statusCode, body };
}

const origin = () => base; // http://127.0.0.1:PORT
const otherPort = () => base.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
const form = new URLSearchParams({ fromRun: 'live', candidate: 'http://127.0.0.1:9/' }).toString();
const gateBody = JSON.stringify({ metadata: { maxMismatchRate: '0.5', minSamples: '1' } });

describe('cross-site request forgery (item 2)', () => {
  it('refuses a cross-origin form POST that carries the login cookie (another port, or a subdomain)', async () => {
    const { cookie } = await login();
    for (const from of [otherPort(), 'http://evil.127.0.0.1.nip.io', 'null']) {
      const res = await send('/api/v1/replays', { headers: { cookie, origin: from, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      expect(res.status, from).toBe(403);
      expect(res.body.code, from).toBe('SD_ERR_CROSS_ORIGIN');
    }
    // Fetch metadata says so even when Origin is left out.
    const site = await send('/api/v1/replays', { headers: { cookie, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, body: JSON.stringify({ fromRun: 'live', candidate: 'http://127.0.0.1:9/' }) });
    expect(site.status).toBe(403);
    expect(site.body.code).toBe('SD_ERR_CROSS_ORIGIN');
  });

  it('refuses a cookie POST with neither Origin nor Sec-Fetch-Site, and a JSON one from another origin', async () => {
    const { cookie } = await login();
    const bare = await send('/api/v1/gate', { headers: { cookie, 'content-type': 'application/json' }, body: gateBody });
    expect(bare.status).toBe(403);
    const cross = await send('/api/v1/gate', { headers: { cookie, origin: otherPort(), 'content-type': 'application/json' }, body: gateBody });
    expect(cross.status).toBe(403);
    expect(cross.body.code).toBe('SD_ERR_CROSS_ORIGIN');
  });

  it('lets a same-origin JSON POST with the cookie through (Origin, or Sec-Fetch-Site: same-origin)', async () => {
    const { cookie } = await login();
    const byOrigin = await send('/api/v1/gate', { headers: { cookie, origin: origin(), 'content-type': 'application/json' }, body: gateBody });
    expect(byOrigin.status).toBe(200);
    expect(byOrigin.body.data.verdict).toBe('pass');
    const byFetchMetadata = await send('/api/v1/gate', { headers: { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json; charset=utf-8' }, body: gateBody });
    expect(byFetchMetadata.status).toBe(200);
    // GET stays a plain cookie read.
    expect((await send('/api/v1/summary', { method: 'GET', headers: { cookie } })).status).toBe(200);
  });

  it('refuses a same-origin form body with the cookie: 415', async () => {
    const { cookie } = await login();
    const res = await send('/api/v1/replays', { headers: { cookie, origin: origin(), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('SD_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves bearer callers alone: a JSON POST without Origin passes', async () => {
    const res = await send('/api/v1/gate', { headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: gateBody });
    expect(res.status).toBe(200);
    expect(res.body.data.pass).toBe(true);
    const replay = await send('/api/v1/replays', { headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ fromRun: 'live', candidate: 'http://127.0.0.1:9/' }) });
    expect(replay.body.code).not.toBe('SD_ERR_CROSS_ORIGIN');
  });

  it('parses form bodies on /login only: a form body anywhere else is 415, even with the bearer token', async () => {
    const res = await send('/api/v1/gate', {
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ metadata: 'x' }).toString(),
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('SD_ERR_UNSUPPORTED_MEDIA_TYPE');
    const replay = await send('/api/v1/replays', { headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(replay.status).toBe(415);
  });
});

describe('without a token (loopback)', () => {
  it('takes JSON bodies only, so a page on another origin cannot post a form or text to it either', async () => {
    const open = await buildReportApp({ store, defaultRun: 'live', replays: { publisher: queue.publisher, captureMaxBytes: 1024, targets: { allow: ['http://127.0.0.1:9'], maxConcurrent: 64 } } });
    try {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const res = await open.inject({ method: 'POST', url: '/api/v1/replays', headers: { 'content-type': type, origin: 'http://evil.example' }, payload: form });
        expect(res.statusCode, type).toBe(415);
        expect(res.json().code, type).toBe('SD_ERR_UNSUPPORTED_MEDIA_TYPE');
      }
      // No login form without a token, so no form parser at all.
      expect((await open.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x' })).statusCode).toBe(415);
    } finally {
      await open.close();
    }
  });
});

describe('the login cookie (item 3)', () => {
  it('holds neither the token nor anything it can be read from, and still logs in', async () => {
    const { setCookie, cookie } = await login();
    const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
    expect(value).not.toContain(TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(TOKEN));
    expect(Buffer.from(value.split('.').pop() ?? '', 'base64url').toString('latin1')).not.toContain(TOKEN);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect((await send('/api/v1/summary', { method: 'GET', headers: { cookie } })).status).toBe(200);
    // The raw token as the cookie (the old scheme) no longer logs in.
    const name = cookie.slice(0, cookie.indexOf('='));
    expect((await send('/api/v1/summary', { method: 'GET', headers: { cookie: `${name}=${encodeURIComponent(TOKEN)}` } })).status).toBe(401);
    // A tampered session is refused.
    const tampered = `${name}=${encodeURIComponent(value.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))}`;
    expect((await send('/api/v1/summary', { method: 'GET', headers: { cookie: tampered } })).status).toBe(401);
  });

  it('is a session that a token rotation ends, and survives a restart with the same token', async () => {
    const { cookie } = await login();
    const rotated = await buildReportApp({ store, defaultRun: 'live', token: 'another-token-after-rotation' });
    const restarted = await buildReportApp({ store, defaultRun: 'live', token: TOKEN });
    try {
      expect((await rotated.inject({ url: '/api/v1/summary', headers: { cookie } })).statusCode).toBe(401);
      expect((await restarted.inject({ url: '/api/v1/summary', headers: { cookie } })).statusCode).toBe(200);
    } finally {
      await rotated.close();
      await restarted.close();
    }
  });

  it('is Secure behind a proxy that says https, when trustProxy is configured; not over plain http', async () => {
    expect((await login()).setCookie).not.toMatch(/Secure/);
    // An untrusting report API ignores a client's X-Forwarded-Proto.
    expect((await login(base, { 'x-forwarded-proto': 'https' })).setCookie).not.toMatch(/Secure/);
    expect((await login(proxiedBase, { 'x-forwarded-proto': 'https' })).setCookie).toMatch(/; Secure/);
    expect((await login(proxiedBase)).setCookie).not.toMatch(/Secure/);
  });
});

async function loginCookieList(at = base, body: Record<string, string> = { token: TOKEN }) {
  const res = await request(`${at}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
  await res.body.dump();
  return { status: res.statusCode, location: res.headers.location, cookies: ([] as string[]).concat(res.headers['set-cookie'] ?? []) };
}

describe('the login cookie is scoped to the report API (item 3: a narrow Path)', () => {
  it('is set at Path=/api/v1, and the cookies of earlier versions (Path=/) are cleared by login and logout', async () => {
    const { cookies } = await loginCookieList();
    const session = cookies.find((c) => c.startsWith('shadow_diff_session=v1.'));
    expect(session).toMatch(/; Path=\/api\/v1; HttpOnly; SameSite=Strict$/);
    expect(session).toMatch(/Max-Age=43200/);
    expect(cookies).toContain('shadow_diff_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    expect(cookies).toContain('shadow_diff_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    const out = await request(`${base}/logout`);
    await out.body.dump();
    expect(out.statusCode).toBe(303);
    expect(([] as string[]).concat(out.headers['set-cookie'] ?? []).sort()).toEqual(
      [
        'shadow_diff_session=; Max-Age=0; Path=/api/v1; HttpOnly; SameSite=Strict',
        'shadow_diff_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict',
        'shadow_diff_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict',
      ].sort(),
    );
    // Over https (a trusted proxy), every one of them is Secure.
    const secure = await request(`${proxiedBase}/logout`, { headers: { 'x-forwarded-proto': 'https' } });
    await secure.body.dump();
    for (const c of ([] as string[]).concat(secure.headers['set-cookie'] ?? [])) expect(c).toMatch(/; Secure$/);
  });

  it('serves the page shells and assets without it (no data in them); everything with data needs it or the bearer token', async () => {
    for (const path of ['/assets/app.js', '/assets/discrepancy.js', '/assets/styles.css', '/assets/jsondiffpatch/index.js']) {
      expect((await send(path, { method: 'GET' })).status, path).toBe(200);
    }
    // The shells are the files as shipped, whatever the store holds: nothing from it is in them.
    for (const [path, file] of [['/', 'index.html'], ['/discrepancies/cap-1?run=live', 'discrepancy.html']] as const) {
      const shell = await request(base + path);
      expect(shell.statusCode, path).toBe(200);
      expect(shell.headers['content-security-policy'], path).toContain("script-src 'self'");
      expect(await shell.body.text(), path).toBe(await readFile(resolve(webFolder(), file), 'utf8'));
    }
    const { cookie } = await login();
    for (const path of ['/api/v1/summary', '/api/v1/discrepancies', '/api/v1/openapi.json']) {
      expect((await send(path, { method: 'GET' })).status, path).toBe(401);
      expect((await send(path, { method: 'GET', headers: { cookie } })).status, path).toBe(200);
    }
    // /metrics and /openapi.json are for bearer callers: the browser's cookie never reaches them.
    for (const path of ['/metrics', '/openapi.json']) {
      expect((await send(path, { method: 'GET', headers: { cookie } })).status, path).toBe(401);
      expect((await send(path, { method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
    }
  });

  it('after the login, goes back to the page it came from, and never to another host or an API route', async () => {
    const back = await loginCookieList(base, { token: TOKEN, next: '/discrepancies/cap-1?run=live&risk=high' });
    expect(back.status).toBe(303);
    expect(back.location).toBe('/discrepancies/cap-1?run=live&risk=high');
    expect((await loginCookieList(base, { token: TOKEN, next: '/compare?base=v1&head=v2' })).location).toBe('/compare?base=v1&head=v2');
    for (const next of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/', 'javascript:alert(1)', '/api/v1/summary', '/metrics', '/login', '']) {
      expect((await loginCookieList(base, { token: TOKEN, next })).location, next).toBe('/');
    }
    // A wrong token keeps the page to go back to in the form.
    const wrong = await loginCookieList(base, { token: 'not-the-token', next: '/discrepancies/cap-1' });
    expect(wrong.status).toBe(401);
    const form = await request(`${base}/login?next=${encodeURIComponent('/discrepancies/cap-1?run=live')}`);
    expect(await form.body.text()).toContain('<input type="hidden" name="next" value="/discrepancies/cap-1?run=live">');
    expect(form.headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('the report cookie and the ingress (item 3)', () => {
  const scope = useScope();

  it('never reaches the primary, the shadow or the secondary; other cookies pass untouched', async () => {
    const { cookie } = await login();
    const handler = (_r: unknown, res: Parameters<typeof json>[0]) => json(res, 200, { ok: true });
    const primary = await scope.upstream(handler);
    const shadow = await scope.upstream(handler);
    const secondary = await scope.upstream(handler);
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url, secondary: secondary.url });
    const send = async (cookieHeader: string) => {
      const res = await request(`${h.ingress}/things/1`, { headers: { cookie: cookieHeader } });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
    };
    await send(`theme=dark; ${cookie}; app_session=abc123`);
    await send(cookie);
    await send(`${cookie.replace(/=.*/, '')}=whatever; shadow_diff_token=${TOKEN}`); // the old cookie's name too
    await h.settled(3);
    for (const u of [primary, shadow, secondary]) {
      expect(u.seen.map((s) => s.headers.cookie)).toEqual(['theme=dark; app_session=abc123', undefined, undefined]);
      expect(JSON.stringify(u.seen.map((s) => s.headers))).not.toContain(TOKEN);
    }
  });
});
