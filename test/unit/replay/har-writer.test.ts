import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CapturedBody } from '../../../libs/http/body.js';
import { parseGor } from '../../../libs/replay/formats/gor.js';
import { parseHar } from '../../../libs/replay/formats/har.js';
import { toHar, type HarSourceExchange } from '../../../libs/replay/formats/har-writer.js';
import type { CapturedResponse } from '../../../libs/exchange/exchange.js';

const body = (bytes: Buffer | string): CapturedBody => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { bytes: b, size: b.length, truncated: false };
};

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0xc3, 0x28]);
const T = Date.parse('2024-05-01T10:00:00.250Z');

const EXCHANGES: HarSourceExchange[] = [
  {
    startedAt: T,
    origin: 'https://reviews.example.com',
    request: {
      method: 'GET',
      url: '/reviews/7?lang=en&tag=a%20b&tag=c',
      headers: { host: 'reviews.example.com', accept: 'application/json', cookie: ['a=1', 'b=2'] },
      body: body(''),
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': ['s=1', 't=2'] },
      body: body('{"id":7,"text":"très bien"}'),
      latencyMs: 42.5,
    },
  },
  {
    startedAt: T + 1000,
    origin: 'http://static.example.com:8080',
    request: {
      method: 'PUT',
      url: '/blob',
      headers: { host: 'static.example.com:8080', 'content-type': 'application/octet-stream', 'content-length': String(BINARY.length) },
      body: body(BINARY),
    },
    response: { status: 418, headers: { 'content-type': 'image/x-raw' }, body: body(BINARY), latencyMs: 3 },
  },
  {
    startedAt: T + 2000,
    origin: 'http://api.test',
    request: { method: 'DELETE', url: '/x', headers: { host: 'api.test' }, body: body('') },
    response: null,
  },
];

describe('toHar', () => {
  const har = toHar(EXCHANGES);
  const [first, second, third] = har.log.entries;

  it('writes a HAR 1.2 log with a creator', () => {
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'shadow-diff', version: expect.any(String) });
    expect(toHar([], { name: 'me', version: '9' }).log).toEqual({ version: '1.2', creator: { name: 'me', version: '9' }, entries: [] });
  });

  it('writes the request with an absolute url, expanded headers and the query string', () => {
    expect(first?.startedDateTime).toBe('2024-05-01T10:00:00.250Z');
    expect(first?.time).toBe(42.5);
    expect(first?.timings).toEqual({ send: 0, wait: 42.5, receive: 0 });
    expect(first?.cache).toEqual({});
    expect(first?.request).toEqual({
      method: 'GET',
      url: 'https://reviews.example.com/reviews/7?lang=en&tag=a%20b&tag=c',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'host', value: 'reviews.example.com' },
        { name: 'accept', value: 'application/json' },
        { name: 'cookie', value: 'a=1' },
        { name: 'cookie', value: 'b=2' },
      ],
      queryString: [
        { name: 'lang', value: 'en' },
        { name: 'tag', value: 'a b' },
        { name: 'tag', value: 'c' },
      ],
      headersSize: -1,
      bodySize: 0,
    });
  });

  it('writes the response with its status text and UTF-8 content as text', () => {
    expect(first?.response).toEqual({
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'content-type', value: 'application/json' },
        { name: 'set-cookie', value: 's=1' },
        { name: 'set-cookie', value: 't=2' },
      ],
      content: { size: 28, mimeType: 'application/json', text: '{"id":7,"text":"très bien"}' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 28,
    });
  });

  it('writes bodies that are not UTF-8 as base64', () => {
    expect(second?.request.postData).toEqual({ mimeType: 'application/octet-stream', text: BINARY.toString('base64'), encoding: 'base64' });
    expect(second?.request.bodySize).toBe(BINARY.length);
    expect(second?.response.statusText).toBe("I'm a Teapot");
    expect(second?.response.content).toEqual({ size: BINARY.length, mimeType: 'image/x-raw', text: BINARY.toString('base64'), encoding: 'base64' });
  });

  it('writes a missing response the way browsers do, with status 0', () => {
    expect(third?.response.status).toBe(0);
    expect(third?.request.postData).toBeUndefined();
  });

  it('stores a compressed response body decoded, as HAR content is', () => {
    const json = '{"compressed":true}';
    const gz = gzipSync(json);
    const [entry] = toHar([{ ...EXCHANGES[2]!, response: { status: 200, headers: { 'content-encoding': 'gzip' }, body: body(gz), latencyMs: 1 } }]).log.entries;
    expect(entry?.response.content).toEqual({ size: json.length, compression: gz.length - json.length, mimeType: '', text: json });
    expect(entry?.response.headers).toEqual([{ name: 'content-encoding', value: 'gzip' }]);
    expect(entry?.response.bodySize).toBe(gz.length);
  });
});

describe('parseHar(toHar(x)) round trip', () => {
  it('gives back the exchanges', () => {
    const { exchanges, problems } = parseHar(JSON.stringify(toHar(EXCHANGES)));
    expect(problems).toEqual([]);
    expect(exchanges).toEqual(
      EXCHANGES.map((x, i) => ({
        position: i + 1,
        startedAt: x.startedAt,
        origin: x.origin,
        request: x.request,
        response: x.response,
        // HAR content is decoded; what the recording saw is kept beside it.
        ...(x.response ? { content: { contentEncoding: null, bodyRecorded: true } } : {}),
      })),
    );
  });

  it('keeps a truncated body truncated, with its full size', () => {
    const truncated: CapturedResponse = { status: 200, headers: {}, body: { bytes: Buffer.from('abc'), size: 1_000_000, truncated: true }, latencyMs: 5 };
    const { exchanges } = parseHar(JSON.stringify(toHar([{ ...EXCHANGES[2]!, response: truncated }])));
    expect(exchanges[0]?.response?.body).toEqual(truncated.body);
  });

  it('drops content-encoding and content-length, keeping the decoded body', () => {
    const gz = gzipSync('hello');
    const source = { ...EXCHANGES[2]!, response: { status: 200, headers: { 'content-encoding': 'gzip', 'content-length': String(gz.length), vary: 'accept-encoding' }, body: body(gz), latencyMs: 1 } };
    const { exchanges } = parseHar(JSON.stringify(toHar([source])));
    expect(exchanges[0]?.response).toEqual({ status: 200, headers: { vary: 'accept-encoding' }, body: body('hello'), latencyMs: 1 });
    // The coding the recording saw stays beside the decoded content, for the comparison.
    expect(exchanges[0]?.content).toEqual({ contentEncoding: 'gzip', bodyRecorded: true });
  });

  it('carries GoReplay traffic through HAR unchanged', () => {
    const gor = parseGor(readFileSync(new URL('../../fixtures/replay/sample.gor', import.meta.url)));
    const source = gor.exchanges.map((e) => ({ request: e.request, response: e.response, startedAt: e.startedAt ?? 0, origin: 'http://reviews:9080' }));
    const back = parseHar(JSON.stringify(toHar(source)));
    expect(back.problems).toEqual([]);
    expect(back.exchanges.map((e) => e.request)).toEqual(gor.exchanges.map((e) => e.request));
    expect(back.exchanges.map((e) => e.response?.body ?? null)).toEqual(gor.exchanges.map((e) => e.response?.body ?? null));
  });
});
