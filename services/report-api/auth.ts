/**
 * REPORT_TOKEN: when set, every route needs the token but the public ones (/healthz, the login form,
 * and the web report's page shells and assets, which hold no data: every figure comes from /api/v1),
 * either as `Authorization: Bearer <token>` (scripts, Prometheus, rollout tools) or as the session
 * cookie the login form sets (browsers; session.ts: an HMAC of the token, never the token, sent to
 * and accepted on /api/v1 only). A route is public by its own `config.public`, read from the route the router
 * matched: no spelling of a URL (`//`, `..`, `%61`, case, a trailing slash) makes a protected route
 * public. Tokens are compared through their SHA-256 digests with timingSafeEqual, so neither the
 * content nor the length of a wrong token shows in the response time. A state-changing request
 * authenticated by the cookie must come from the report's own origin (csrf.ts); bearer callers are
 * not browsers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CrossOriginError, UnauthorizedError } from '../../libs/errors.js';
import { isSameOrigin, isStateChanging } from './csrf.js';
import { sendError } from './http-errors.js';
import { isValidSession, loginCookies, logoutCookies, newSession, SESSION_COOKIE, SESSION_PATH } from './session.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the token (auth.ts). */
    public?: boolean;
  }
}

/** Route options of a route served without the token. */
export const PUBLIC = { config: { public: true } } as const;
/** Where a form body is parsed: the login form's POST, nowhere else. */
export const FORM_PATHS: ReadonlySet<string> = new Set(['/login']);

const digest = (value: string) => createHash('sha256').update(value).digest();

function matches(expected: Buffer, candidate: string | undefined): boolean {
  return candidate !== undefined && candidate !== '' && timingSafeEqual(expected, digest(candidate));
}

export function bearerOf(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
}

export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Where to go after the login: a page of the report (`/`, `/discrepancies/…`, `/compare`) with its query, from
 * the form's `next`; anything else (another host, `//evil`, `/\evil`, an API route) goes to `/`.
 */
export function nextPage(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, 'http://report.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'http://report.invalid') return '/';
  if (url.pathname !== '/' && url.pathname !== '/compare' && !/^\/discrepancies\/[^/]+$/.test(url.pathname)) return '/';
  return url.pathname + url.search;
}

/** The login form: inline style, no script; `next` comes back in a hidden field. */
const LOGIN_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const page = (message: string, next: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>shadow-diff: log in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#1d232b}
input,button{font:inherit;padding:.5rem .75rem;border:1px solid #8a94a3;border-radius:6px}input{width:100%;box-sizing:border-box}
button{margin-top:.75rem;background:#1f5fbf;color:#fff;border-color:#1f5fbf;cursor:pointer}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}.message{color:#b3261e;min-height:1.5em}</style></head>
<body><h1>shadow-diff report</h1><p>This report is protected. Paste the report token (REPORT_TOKEN).</p>
<form method="post" action="/login"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p class="message" role="alert">${message}</p><button type="submit">Log in</button></form></body></html>`;

const unauthorized = (reply: FastifyReply) =>
  sendError(
    reply.header('www-authenticate', 'Bearer realm="shadow-diff"'),
    new UnauthorizedError('a valid Authorization: Bearer <REPORT_TOKEN> header (or a login at /login) is required'),
  );

export async function installTokenAuth(app: FastifyInstance, token: string): Promise<void> {
  const expected = digest(token);

  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.public === true) return;
    if (matches(expected, bearerOf(req.headers.authorization))) return;
    // The session is good where its Path sends it (the matched route under /api/v1), nowhere else.
    if (req.routeOptions.url?.startsWith(`${SESSION_PATH}/`) && isValidSession(token, cookieOf(req.headers.cookie, SESSION_COOKIE), Date.now())) {
      if (!isStateChanging(req.method) || isSameOrigin(req)) return;
      return sendError(
        reply,
        new CrossOriginError(
          'a request that changes something, authenticated by the login cookie, must come from the report itself (Origin or Sec-Fetch-Site); scripts use Authorization: Bearer',
        ),
      );
    }
    // The pages are public and send a browser without a session to /login when the API says 401.
    return unauthorized(reply);
  });

  // The form parser lives in this plugin's scope only: no other route accepts a form body.
  await app.register(async (login) => {
    login.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    const form = (reply: FastifyReply, status: number, message: string, next: string) =>
      reply.status(status).headers(LOGIN_HEADERS).type('text/html; charset=utf-8').send(page(message, next));
    login.get<{ Querystring: { next?: string } }>('/login', { schema: { hide: true }, ...PUBLIC }, async (req, reply) => form(reply, 200, '', nextPage(req.query.next)));
    login.post<{ Body: { token?: string; next?: string } }>('/login', { schema: { hide: true }, ...PUBLIC }, async (req, reply) => {
      const given = typeof req.body?.token === 'string' ? req.body.token : undefined;
      const next = nextPage(req.body?.next);
      if (!matches(expected, given)) return form(reply, 401, 'That token is not right.', next);
      // Secure when the browser reached the report over https (directly, or per a trusted proxy).
      return reply.header('set-cookie', loginCookies(newSession(token, Date.now()), req.protocol === 'https')).redirect(next, 303);
    });
    login.get('/logout', { schema: { hide: true }, ...PUBLIC }, async (req, reply) =>
      reply.header('set-cookie', logoutCookies(req.protocol === 'https')).redirect('/login', 303),
    );
  });
}
