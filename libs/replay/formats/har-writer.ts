/**
 * Writes exchanges as HAR 1.2, e.g. to hand a captured run to other tools or to replay it later
 * (parseHar reads it back: see the round-trip test).
 *
 * HAR stores response content decoded: a body recorded with a Content-Encoding (as GoReplay and
 * the ingress keep it) is decompressed for `content.text`, with `compression` saying how many
 * bytes that saved; the headers stay as recorded. A body that cannot be decoded (truncated,
 * unknown coding) is written as recorded. A body that is not UTF-8 is written base64 with
 * `encoding: "base64"`. A truncated body is marked with the `_truncated` extension field.
 */
import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { CapturedBody } from '../../http/body.js';
import { decodeBody } from '../../compare/decode-body.js';
import type { CapturedRequest, CapturedResponse } from '../../exchange/exchange.js';
import { firstHeader, type HeaderMap } from '../../http/headers.js';
import type { Har, HarContent, HarEntry, HarNameValue, HarPostData, HarResponse } from './har-types.js';

export type { Har } from './har-types.js';

export interface HarSourceExchange {
  request: CapturedRequest;
  response: CapturedResponse | null;
  /** Epoch milliseconds. */
  startedAt: number;
  /** scheme://host[:port] the request was sent to. */
  origin: string;
}

export const DEFAULT_HAR_CREATOR = Object.freeze({ name: 'shadow-diff', version: '0.1.0' });

/** Largest decoded response body written as text; larger ones stay encoded. */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

export function toHar(exchanges: readonly HarSourceExchange[], creator: { name: string; version: string } = DEFAULT_HAR_CREATOR): Har {
  return {
    log: {
      version: '1.2',
      creator: { name: creator.name, version: creator.version },
      entries: exchanges.map(toEntry),
    },
  };
}

function toEntry({ request, response, startedAt, origin }: HarSourceExchange): HarEntry {
  const time = response?.latencyMs ?? 0;
  const url = `${origin.replace(/\/+$/, '')}${request.url.startsWith('/') ? '' : '/'}${request.url}`;
  const postData = request.body.size > 0 || request.body.bytes.length > 0 ? postDataOf(request.body, request.headers) : undefined;
  return {
    startedDateTime: new Date(startedAt).toISOString(),
    time,
    request: {
      method: request.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: nameValues(request.headers),
      queryString: queryStringOf(request.url),
      ...(postData === undefined ? {} : { postData }),
      headersSize: -1,
      bodySize: request.body.size,
    },
    response: response === null ? noResponse() : responseOf(response),
    cache: {},
    timings: { send: 0, wait: time, receive: 0 },
  };
}

function nameValues(headers: HeaderMap): HarNameValue[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
  );
}

function queryStringOf(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const query = url.slice(q + 1).replace(/#.*$/s, '');
  return [...new URLSearchParams(query)].map(([name, value]) => ({ name, value }));
}

function textOf(bytes: Buffer): { text: string; encoding?: 'base64' } {
  return isUtf8(bytes) ? { text: bytes.toString('utf8') } : { text: bytes.toString('base64'), encoding: 'base64' };
}

function postDataOf(body: CapturedBody, headers: HeaderMap): HarPostData {
  return { mimeType: firstHeader(headers, 'content-type') ?? 'application/octet-stream', ...textOf(body.bytes) };
}

function responseOf(response: CapturedResponse): HarResponse {
  return {
    status: response.status,
    statusText: STATUS_CODES[response.status] ?? '',
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: nameValues(response.headers),
    content: contentOf(response.body, response.headers),
    redirectURL: '',
    headersSize: -1,
    bodySize: response.body.size,
  };
}

function contentOf(body: CapturedBody, headers: HeaderMap): HarContent {
  const mimeType = firstHeader(headers, 'content-type') ?? '';
  const raw = body.bytes;
  if (body.truncated) return { size: body.size, mimeType, ...textOf(raw), _truncated: true };
  const decoded = decodeBody(raw, headers, MAX_DECODED_BYTES);
  if ('bytes' in decoded && decoded.bytes !== raw) {
    return { size: decoded.bytes.length, compression: raw.length - decoded.bytes.length, mimeType, ...textOf(decoded.bytes) };
  }
  return { size: raw.length, mimeType, ...textOf(raw) };
}

/** What browsers write for a request that got no response; parseHar reads status 0 as "no response". */
function noResponse(): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: '' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
  };
}
