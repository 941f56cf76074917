/**
 * The browser session of the report: after /login the cookie holds an expiry and
 * HMAC-SHA256(key = the token, "shadow-diff-session:v1:<expiry>"), never the token. No server-side
 * state: a session survives restarts and is valid on every report-api replica sharing the token;
 * rotating the token ends every session; a stolen cookie is good until its expiry and does not give
 * the token (so not the bearer access of scripts). Path=/api/v1: the pages and their assets hold no
 * data and are served without auth, all data comes from /api/v1, so the browser sends the cookie
 * nowhere else on the host (the ingress strips it too: libs/http/report-cookie.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LEGACY_REPORT_COOKIE, REPORT_SESSION_COOKIE } from '../../libs/http/report-cookie.js';

export const SESSION_COOKIE = REPORT_SESSION_COOKIE;
/** How long a login lasts. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const VALUE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

const mac = (token: string, expiry: number) => createHmac('sha256', token).update(`shadow-diff-session:v1:${expiry}`).digest('base64url');

export function newSession(token: string, nowMs: number): string {
  const expiry = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  return `v1.${expiry}.${mac(token, expiry)}`;
}

export function isValidSession(token: string, value: string | undefined, nowMs: number): boolean {
  const m = value ? VALUE.exec(value) : null;
  if (!m) return false;
  const expiry = Number(m[1]);
  if (expiry * 1000 <= nowMs) return false;
  return timingSafeEqual(Buffer.from(m[2] as string), Buffer.from(mac(token, expiry)));
}

/** The one path the browser sends the session to: the JSON API the pages read. */
export const SESSION_PATH = '/api/v1';

const attributes = (path: string, secure: boolean) => `Path=${path}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/**
 * Cookies of earlier versions, all at Path=/: the raw token, and the session before it was scoped
 * (a cookie is keyed by name and path, so clearing it takes its own Set-Cookie).
 */
const clearOld = (secure: boolean) => [LEGACY_REPORT_COOKIE, SESSION_COOKIE].map((name) => `${name}=; Max-Age=0; ${attributes('/', secure)}`);

/** Set-Cookie values for a login; the cookies of earlier versions are cleared on the way. */
export function loginCookies(value: string, secure: boolean): string[] {
  return [`${SESSION_COOKIE}=${value}; Max-Age=${SESSION_TTL_SECONDS}; ${attributes(SESSION_PATH, secure)}`, ...clearOld(secure)];
}

export function logoutCookies(secure: boolean): string[] {
  return [`${SESSION_COOKIE}=; Max-Age=0; ${attributes(SESSION_PATH, secure)}`, ...clearOld(secure)];
}
