/**
 * The request headers an upstream is sent, and whether a request has a body: the one place outgoing
 * headers are built, for both ingress modes (the primary, the shadow, the secondary) and the replay.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { HeaderMap } from './headers.js';
import { setForwarding, type TrustProxy } from './forwarding.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { stripReportCookies } from './report-cookie.js';

/** Whether a request comes with a body (RFC 9112 §6.3): chunked, or a Content-Length other than 0. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A copy of a request's headers without what never goes on: hop-by-hop headers and Expect. */
function sendable(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const out = withoutHopByHop(headers);
  // undici does not support Expect: 100-continue (and node:http already answered it).
  delete out.expect;
  return out;
}

/** Headers for an upstream request: hop-by-hop and the report's session cookie removed, X-Forwarded-* set (or passed on from a trusted proxy). */
export function upstreamHeaders(req: IncomingMessage, trust: TrustProxy): HeaderMap {
  const headers = sendable(req.headers);
  stripReportCookies(headers);
  return setForwarding(headers, req.socket.remoteAddress ?? '', trust);
}

/**
 * Headers for a replayed request: the recording's, with Host set to the target's. Its
 * Content-Length goes: undici sets the one of the body it sends, which a recording's own
 * (edited, or of a decoded body) must not contradict.
 */
export function replayHeaders(recorded: HeaderMap, host: string): HeaderMap {
  const out = sendable(recorded);
  delete out['content-length'];
  out.host = host;
  return out;
}

/**
 * The one copy of `base` a destination gets when it needs other headers than the primary's: its
 * own Host, and a body sent whole (a Content-Length for the captured bytes, no chunking).
 */
export function destinationHeaders(base: HeaderMap, host: string | undefined, body: Buffer | null): HeaderMap {
  const headers: HeaderMap = { ...base };
  if (host) headers.host = host;
  if (body) {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.length);
  }
  return headers;
}
