/** The one place outgoing headers are built: the ingress's (both modes) and the replay's. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileTrustProxy } from '../../../libs/http/forwarding.js';
import { hasBody, replayHeaders, upstreamHeaders } from '../../../libs/http/upstream-headers.js';

const request = (headers: IncomingMessage['headers'], remoteAddress = '10.0.0.9') => ({ headers, socket: { remoteAddress } }) as IncomingMessage;

describe('upstreamHeaders', () => {
  it("drops hop-by-hop headers, Expect and the report's cookie, and sets X-Forwarded-* from the connection", () => {
    const req = request({
      host: 'svc',
      connection: 'keep-alive',
      expect: '100-continue',
      cookie: 'shadow_diff_session=s; a=1',
      'x-forwarded-for': '1.2.3.4',
      'content-length': '3',
    });
    expect(upstreamHeaders(req, compileTrustProxy(undefined))).toEqual({
      host: 'svc',
      cookie: 'a=1',
      'content-length': '3',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'http',
    });
  });

  it("passes on a trusted proxy's forwarding headers", () => {
    const req = request({ 'x-forwarded-for': ['1.2.3.4', '5.6.7.8'], 'x-forwarded-proto': 'https' }, '127.0.0.1');
    expect(upstreamHeaders(req, compileTrustProxy('loopback'))).toEqual({ 'x-forwarded-for': '1.2.3.4, 5.6.7.8, 127.0.0.1', 'x-forwarded-proto': 'https' });
  });
});

describe('replayHeaders', () => {
  it("sends the recording's headers to the target's Host, without hop-by-hop headers, Expect or Content-Length", () => {
    const recorded = { host: 'recorded:80', 'content-length': '99', expect: '100-continue', 'transfer-encoding': 'chunked', accept: '*/*', cookie: 'a=1' };
    expect(replayHeaders(recorded, 'candidate:8080')).toEqual({ host: 'candidate:8080', accept: '*/*', cookie: 'a=1' });
    expect(recorded.host).toBe('recorded:80');
  });

  it('adds the Host when the recording had none', () => {
    expect(replayHeaders({ accept: '*/*' }, 'c:1')).toEqual({ accept: '*/*', host: 'c:1' });
  });
});

describe('hasBody', () => {
  it('is true for chunked or a non-zero Content-Length', () => {
    expect(hasBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(hasBody({ 'content-length': '5' })).toBe(true);
    expect(hasBody({ 'content-length': '0' })).toBe(false);
    expect(hasBody({})).toBe(false);
  });
});
