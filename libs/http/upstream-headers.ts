/** The request headers an upstream is sent, and whether a request has a body: shared by both ingress modes. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { HeaderMap } from './headers.js';
import { setForwarding, type TrustProxy } from './forwarding.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { stripReportCookies } from './report-cookie.js';

export function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Headers for an upstream request: hop-by-hop and the report's session cookie removed, X-Forwarded-* set (or passed on from a trusted proxy). */
export function upstreamHeaders(req: IncomingMessage, trust: TrustProxy): HeaderMap {
  const headers = withoutHopByHop(req.headers);
  stripReportCookies(headers);
  // undici does not support Expect: 100-continue, and node:http already answered it.
  delete headers.expect;
  return setForwarding(headers, req.socket.remoteAddress ?? '', trust);
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
