/**
 * REPORT_TOKEN: when set, everything but /healthz and the login form needs the token, either as
 * `Authorization: Bearer <token>` (scripts, Prometheus, rollout tools) or as the session cookie the
 * login form sets (browsers; session.ts: an HMAC of the token, never the token). Tokens are
 * compared through their SHA-256 digests with timingSafeEqual, so neither the content nor the
 * length of a wrong token shows in the response time. A state-changing request authenticated by
 * the cookie must come from the report's own origin (csrf.ts); bearer callers are not browsers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isSameOrigin, isStateChanging } from './csrf.js';
import { isValidSession, loginCookies, logoutCookies, newSession, SESSION_COOKIE } from './session.js';

const OPEN_PATHS = new Set(['/healthz', '/login', '/logout']);
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

const page = (message: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>shadow-diff: log in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#1d232b}
input,button{font:inherit;padding:.5rem .75rem;border:1px solid #8a94a3;border-radius:6px}input{width:100%;box-sizing:border-box}
button{margin-top:.75rem;background:#1f5fbf;color:#fff;border-color:#1f5fbf;cursor:pointer}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}.message{color:#b3261e;min-height:1.5em}</style></head>
<body><h1>shadow-diff report</h1><p>This report is protected. Paste the report token (REPORT_TOKEN).</p>
<form method="post" action="/login"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<p class="message" role="alert">${message}</p><button type="submit">Log in</button></form></body></html>`;

const unauthorized = (reply: FastifyReply) =>
  reply
    .status(401)
    .header('www-authenticate', 'Bearer realm="shadow-diff"')
    .send({ error: 'Unauthorized', code: 'SD_ERR_UNAUTHORIZED', message: 'a valid Authorization: Bearer <REPORT_TOKEN> header (or a login at /login) is required' });

export async function installTokenAuth(app: FastifyInstance, token: string): Promise<void> {
  const expected = digest(token);

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (OPEN_PATHS.has(path)) return;
    if (matches(expected, bearerOf(req.headers.authorization))) return;
    if (isValidSession(token, cookieOf(req.headers.cookie, SESSION_COOKIE), Date.now())) {
      if (!isStateChanging(req.method) || isSameOrigin(req)) return;
      return reply.status(403).send({
        error: 'Forbidden',
        code: 'SD_ERR_CROSS_ORIGIN',
        message: 'a request that changes something, authenticated by the login cookie, must come from the report itself (Origin or Sec-Fetch-Site); scripts use Authorization: Bearer',
      });
    }
    // A browser asking for a page goes to the login form; everything else gets a 401.
    if (req.method === 'GET' && !path.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
      return reply.redirect(`/login`, 303);
    }
    return unauthorized(reply);
  });

  // The form parser lives in this plugin's scope only: no other route accepts a form body.
  await app.register(async (login) => {
    login.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    login.get('/login', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(page('')));
    login.post<{ Body: { token?: string } }>('/login', { schema: { hide: true } }, async (req, reply) => {
      const given = typeof req.body?.token === 'string' ? req.body.token : undefined;
      if (!matches(expected, given)) return reply.status(401).type('text/html; charset=utf-8').send(page('That token is not right.'));
      // Secure when the browser reached the report over https (directly, or per a trusted proxy).
      return reply.header('set-cookie', loginCookies(newSession(token, Date.now()), req.protocol === 'https')).redirect('/', 303);
    });
    login.get('/logout', { schema: { hide: true } }, async (req, reply) =>
      reply.header('set-cookie', logoutCookies(req.protocol === 'https')).redirect('/login', 303),
    );
  });
}
