/**
 * The report's browser session cookie belongs to shadow-diff, not to the proxied service: when the
 * report and the service share a host (cookies are scoped by host, not by port), the browser sends it
 * through the ingress too. It is removed from what goes to the primary, the shadow and the secondary
 * (and so from what is captured); every other cookie passes untouched.
 */
import { joinedValue, type HeaderMap } from './headers.js';

/** The session cookie the report's /login sets. */
export const REPORT_SESSION_COOKIE = 'shadow_diff_session';
/** The cookie of earlier versions, which held the token itself: never forwarded either. */
export const LEGACY_REPORT_COOKIE = 'shadow_diff_token';

const REPORT_COOKIES: ReadonlySet<string> = new Set([REPORT_SESSION_COOKIE, LEGACY_REPORT_COOKIE]);

function nameOf(pair: string): string {
  const eq = pair.indexOf('=');
  return (eq < 0 ? pair : pair.slice(0, eq)).trim();
}

/** Removes the report's cookies from the Cookie header in place; the header goes when nothing else is left. */
export function stripReportCookies(headers: HeaderMap): void {
  const cookie = headers.cookie;
  if (cookie === undefined) return;
  const pairs = joinedValue(cookie, '; ').split(';');
  const kept = pairs.filter((pair) => !REPORT_COOKIES.has(nameOf(pair)));
  if (kept.length === pairs.length) return;
  const rest = kept.map((pair) => pair.trim()).filter(Boolean);
  if (rest.length > 0) headers.cookie = rest.join('; ');
  else delete headers.cookie;
}
