import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReplayInputError } from '../../../libs/errors.js';
import { parseHar } from '../../../libs/replay/formats/har.js';
import { pickOrigin } from '../../../libs/replay/har-origin.js';
import type { RecordedExchange } from '../../../libs/replay/formats/recorded-exchange.js';

const SAMPLE = readFileSync(new URL('../../fixtures/replay/sample.har', import.meta.url), 'utf8');

const bytesOf = (bytes: Buffer) => bytes;
const textOf = (bytes: Buffer) => bytes.toString('utf8');

/** A one-entry HAR around the given entry fields. */
function har(...entries: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } });
}

function entry(request: Record<string, unknown> = {}, response: unknown = { status: 200, headers: [], content: { size: 0, mimeType: '' } }) {
  return {
    startedDateTime: '2024-05-01T10:00:00.000Z',
    time: 10,
    request: { method: 'GET', url: 'http://api.test/x', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], ...request },
    response,
  };
}

function only(text: string): RecordedExchange {
  const result = parseHar(text);
  expect(result.problems).toEqual([]);
  expect(result.exchanges).toHaveLength(1);
  return result.exchanges[0] as RecordedExchange;
}

function problemsOf(text: string): string[] {
  const result = parseHar(text);
  expect(result.exchanges).toEqual([]);
  return result.problems.map((p) => p.message);
}

describe('parseHar on the sample file', () => {
  const { exchanges, problems } = parseHar(SAMPLE);

  it('keeps the well-formed entries, in order, with their positions', () => {
    expect(exchanges.map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('reads a GET with a JSON text response', () => {
    const [first] = exchanges;
    expect(first?.startedAt).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
    expect(first?.origin).toBe('https://reviews.example.com');
    expect(first?.request.method).toBe('GET');
    // origin and fragment stripped, query kept as written
    expect(first?.request.url).toBe('/reviews/7?lang=en&fields=stars');
    // HTTP/2 pseudo-headers and hop-by-hop headers dropped, names lower-cased, repeats collected,
    // host taken from the URL since the entry has none
    expect(first?.request.headers).toEqual({
      accept: 'application/json',
      'accept-encoding': 'gzip, br',
      cookie: ['a=1', 'b=2'],
      host: 'reviews.example.com',
    });
    expect(first?.request.body).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
    expect(first?.response?.status).toBe(200);
    expect(first?.response?.latencyMs).toBe(42.5);
    // content is stored decoded: content-encoding and content-length no longer apply
    expect(first?.response?.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'set-cookie': ['s=1; Path=/', 't=2; Path=/'],
    });
    expect(textOf(first?.response?.body.bytes ?? Buffer.alloc(0))).toBe('{"id":7,"stars":4,"text":"très bien"}');
    expect(first?.response?.body.size).toBe(Buffer.byteLength('{"id":7,"stars":4,"text":"très bien"}'));
    expect(first?.response?.body.truncated).toBe(false);
  });

  it('reads a base64 response content byte for byte', () => {
    const second = exchanges[1];
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x80]);
    expect(bytesOf(second?.response?.body.bytes ?? Buffer.alloc(0))).toEqual(png);
    expect(second?.response?.body.size).toBe(png.length);
    expect(second?.request.method).toBe('GET'); // recorded as "get"
    expect(second?.origin).toBe('http://static.example.com:8080');
    expect(second?.request.headers.host).toBe('static.example.com:8080');
    expect(second?.response?.headers).toEqual({ 'content-type': 'image/png' });
  });

  it('reads a POST body from postData and keeps the recorded host', () => {
    const third = exchanges[2];
    expect(third?.request.method).toBe('POST');
    expect(third?.request.url).toBe('/reviews');
    expect(textOf(third?.request.body.bytes ?? Buffer.alloc(0))).toBe('{"stars":5,"text":"great"}');
    expect(third?.request.body.size).toBe(26);
    expect(third?.request.headers).toEqual({
      host: 'reviews.example.com',
      'content-type': 'application/json',
      'content-length': '26',
    });
    expect(third?.response?.status).toBe(201);
    expect(third?.response?.body.size).toBe(0);
  });

  it('reports the entry without a url with its position and skips it', () => {
    expect(problems).toEqual([{ position: 4, message: expect.stringContaining('"request.url" is missing') }]);
  });
});

describe('parseHar on unusable files', () => {
  it.each([
    ['not JSON', '<html>not a har</html>', /not valid JSON/],
    ['no log', '{"entries": []}', /no "log" object/],
    ['no entries', '{"log": {"version": "1.2"}}', /"log.entries" is missing or not an array/],
    ['entries not an array', '{"log": {"entries": {}}}', /"log.entries" is missing or not an array/],
    ['a JSON array', '[]', /no "log" object/],
  ])('throws a ReplayInputError for %s', (_name, text, message) => {
    expect(() => parseHar(text)).toThrow(ReplayInputError);
    expect(() => parseHar(text)).toThrow(message);
  });

  it('accepts a byte order mark and an empty entry list', () => {
    expect(parseHar(`\uFEFF${har()}`)).toEqual({ exchanges: [], problems: [], leftOut: [] });
  });
});

describe('parseHar entries', () => {
  it.each([
    ['a non-object entry', 'oops', /the entry is not an object/],
    ['a missing request', { response: { status: 200 } }, /"request" is missing/],
    ['a missing method', entry({ method: undefined }), /"request.method" is missing/],
    ['a bad method', entry({ method: 'GE T' }), /"request.method" "GE T" is not an HTTP method/],
    ['a bad URL', entry({ url: 'http://exa mple.com/x' }), /"request.url" "http:\/\/exa mple.com\/x" is not a valid URL/],
    ['a non-http URL', entry({ url: 'wss://api.test/socket' }), /is not an http\(s\) URL/],
    ['headers not an array', entry({ headers: {} }), /"request.headers" is not an array/],
    ['a header without a name', entry({ headers: [{ value: 'x' }] }), /"request.headers\[0\]" has no valid name/],
    ['invalid base64 postData', entry({ method: 'POST', postData: { mimeType: 'x', text: 'no!', encoding: 'base64' } }), /"request.postData.text" is not valid base64/],
    ['an unknown content encoding', entry({}, { status: 200, content: { text: 'x', encoding: 'quoted-printable' } }), /"response.content.encoding" "quoted-printable" is not supported/],
    ['invalid base64 content', entry({}, { status: 200, content: { text: 'aGk=!', encoding: 'base64' } }), /"response.content.text" is not valid base64/],
    ['a bad status', entry({}, { status: 'OK' }), /"response.status" "OK" is not an HTTP status/],
  ])('reports %s and skips the entry', (_name, bad, message) => {
    const result = parseHar(har(entry({ url: 'http://api.test/before' }), bad, entry({ url: 'http://api.test/after' })));
    expect(result.exchanges.map((e) => [e.position, e.request.url])).toEqual([
      [1, '/before'],
      [3, '/after'],
    ]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.position).toBe(2);
    expect(result.problems[0]?.message).toMatch(/^entry 2: /);
    expect(result.problems[0]?.message).toMatch(message);
  });

  it('decodes a base64 postData', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0x0a]);
    const e = only(har(entry({ method: 'PUT', postData: { mimeType: 'application/octet-stream', text: body.toString('base64'), encoding: 'base64' } })));
    expect(bytesOf(e.request.body.bytes)).toEqual(body);
    expect(e.request.body.size).toBe(5);
  });

  it('accepts line-wrapped and unpadded base64, and refuses a length no base64 has', () => {
    const wrapped = only(har(entry({}, { status: 200, content: { text: 'aGVs\nbG8h', encoding: 'base64' } })));
    expect(textOf(wrapped.response?.body.bytes ?? Buffer.alloc(0))).toBe('hello!');
    const unpadded = only(har(entry({}, { status: 200, content: { text: 'aGk', encoding: 'base64' } })));
    expect(textOf(unpadded.response?.body.bytes ?? Buffer.alloc(0))).toBe('hi');
    expect(problemsOf(har(entry({}, { status: 200, content: { text: 'aGVsbG8hA', encoding: 'base64' } }))))
      .toEqual([expect.stringMatching(/not valid base64/)]);
    expect(problemsOf(har(entry({}, { status: 200, content: { text: 'aGk==', encoding: 'base64' } }))))
      .toEqual([expect.stringMatching(/not valid base64/)]);
  });

  it('rebuilds a form body from params when there is no text', () => {
    const e = only(
      har(
        entry({
          method: 'POST',
          postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'a b&c' }, { name: 'lang', value: 'é' }, { name: 'empty' }] },
        }),
      ),
    );
    expect(textOf(e.request.body.bytes)).toBe('q=a+b%26c&lang=%C3%A9&empty=');
  });

  it('refuses to rebuild a multipart body from params', () => {
    const messages = problemsOf(har(entry({ method: 'POST', postData: { mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'f', fileName: 'a.txt' }] } })));
    expect(messages).toEqual([expect.stringMatching(/multipart\/form-data.*cannot be rebuilt from params/)]);
  });

  it('sets content-length to the size of the recorded body', () => {
    const e = only(har(entry({ method: 'POST', headers: [{ name: 'Content-Length', value: '999' }], postData: { mimeType: 'text/plain', text: 'héllo' } })));
    expect(e.request.headers['content-length']).toBe('6');
  });

  it('drops hop-by-hop headers, including those named in Connection', () => {
    const headers = [
      { name: 'Connection', value: 'keep-alive, X-Hop' },
      { name: 'Keep-Alive', value: 'timeout=5' },
      { name: 'TE', value: 'trailers' },
      { name: 'Upgrade', value: 'h2c' },
      { name: 'Proxy-Connection', value: 'keep-alive' },
      { name: 'Trailer', value: 'x' },
      { name: 'Transfer-Encoding', value: 'chunked' },
      { name: 'X-Hop', value: '1' },
      { name: 'X-Kept', value: '2' },
      { name: 'Host', value: 'other.test' },
    ];
    const e = only(har(entry({ headers }, { status: 200, headers, content: { size: 0, mimeType: '' } })));
    expect(e.request.headers).toEqual({ 'x-kept': '2', host: 'other.test' });
    expect(e.response?.headers).toEqual({ 'x-kept': '2', host: 'other.test' });
  });

  it.each([
    ['status 0', { status: 0, headers: [], content: { size: 0 } }],
    ['no status', { headers: [] }],
    ['no response', undefined],
  ])('keeps the request replayable with %s, without a baseline', (_name, response) => {
    const e = only(har({ ...entry({ url: 'http://api.test/x' }), response }));
    expect(e.response).toBeNull();
    expect(e.request.url).toBe('/x');
  });

  it('has no baseline body when the recorder kept no content, never an empty one', () => {
    for (const size of [-1, 5000, undefined]) {
      const e = only(har(entry({}, { status: 200, headers: [{ name: 'Content-Encoding', value: 'br' }], content: { size, mimeType: 'image/png' } })));
      expect(e.content).toEqual({ contentEncoding: 'br', bodyRecorded: false });
      expect(e.response?.body).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
    }
    // An empty body that was recorded as empty is a body.
    expect(only(har(entry({}, { status: 200, content: { size: 0, mimeType: '' } }))).content).toEqual({ contentEncoding: null, bodyRecorded: true });
    expect(only(har(entry({}, { status: 200, content: { size: 0, text: '' } }))).content).toEqual({ contentEncoding: null, bodyRecorded: true });
  });

  it('keeps the content-encoding it recorded beside the decoded content', () => {
    const headers = [{ name: 'Content-Encoding', value: 'gzip' }, { name: 'Content-Length', value: '31' }, { name: 'Vary', value: 'Accept-Encoding' }];
    const e = only(har(entry({}, { status: 200, headers, content: { size: 2, mimeType: 'text/plain', text: 'hi' } })));
    expect(e.response?.headers).toEqual({ vary: 'Accept-Encoding' });
    expect(textOf(e.response?.body.bytes ?? Buffer.alloc(0))).toBe('hi');
    expect(e.content).toEqual({ contentEncoding: 'gzip', bodyRecorded: true });
  });

  it.each([
    ['_resourceType websocket', { ...entry(), _resourceType: 'websocket' }],
    ['status 101', entry({}, { status: 101, headers: [], content: { size: 0 } })],
    ['an Upgrade request', entry({ headers: [{ name: 'Connection', value: 'Upgrade' }, { name: 'Upgrade', value: 'websocket' }] })],
  ])('leaves out a websocket entry (%s) and says so', (_name, ws) => {
    const result = parseHar(har(entry({ url: 'http://api.test/a' }), ws));
    expect(result.exchanges.map((e) => e.request.url)).toEqual(['/a']);
    expect(result.problems).toEqual([]);
    expect(result.leftOut).toEqual([{ position: 2, reason: 'websocket', origin: 'http://api.test' }]);
  });

  it('gives a 304 or a HEAD response no body, whatever the browser cached', () => {
    const cached = { size: 2, mimeType: 'text/plain', text: 'hi' };
    expect(only(har(entry({}, { status: 304, content: cached }))).response?.body.size).toBe(0);
    expect(only(har(entry({ method: 'HEAD' }, { status: 200, content: cached }))).response?.body.size).toBe(0);
    expect(only(har(entry({}, { status: 200, content: cached }))).response?.body.size).toBe(2);
  });

  it('keeps a path-only url without an origin and a raw path as written', () => {
    const relative = only(har(entry({ url: '/only/path?x=1#frag', headers: [{ name: 'Host', value: 'h.test' }] })));
    expect([relative.request.url, relative.origin, relative.request.headers.host]).toEqual(['/only/path?x=1', null, 'h.test']);
    const dots = only(har(entry({ url: 'http://api.test/a/../b?q' })));
    expect(dots.request.url).toBe('/a/../b?q');
    const root = only(har(entry({ url: 'http://api.test?q=1' })));
    expect(root.request.url).toBe('/?q=1');
    const spaces = only(har(entry({ url: 'http://api.test/a b?c d' })));
    expect(spaces.request.url).toBe('/a%20b?c%20d');
  });

  it('reads startedAt and latency when usable, else null and 0', () => {
    const e = only(har({ ...entry(), startedDateTime: 'yesterday', time: -1 }));
    expect(e.startedAt).toBeNull();
    expect(e.response?.latencyMs).toBe(0);
  });
});

describe('pickOrigin', () => {
  const mixed = parseHar(
    har(
      entry({ url: 'https://cdn.test/a.js' }),
      entry({ url: 'https://api.test/1' }),
      entry({ url: '/relative' }),
      entry({ url: 'https://API.test:443/2' }),
      entry({ url: 'http://api.test/3' }),
    ),
  );

  it('keeps the origin with the most entries by default, and entries without an origin', () => {
    const picked = pickOrigin(mixed);
    expect(picked.origin).toBe('https://api.test');
    expect(picked.exchanges.map((e) => e.request.url)).toEqual(['/1', '/relative', '/2']);
    expect(picked.leftOut).toEqual([
      { position: 1, reason: 'other_origin', origin: 'https://cdn.test' },
      { position: 5, reason: 'other_origin', origin: 'http://api.test' },
    ]);
  });

  it('keeps the origin asked for, written any way a URL may be', () => {
    const picked = pickOrigin(mixed, 'HTTPS://cdn.test:443/');
    expect(picked.exchanges.map((e) => e.request.url)).toEqual(['/a.js', '/relative']);
    expect(picked.leftOut?.map((l) => l.position)).toEqual([2, 4, 5]);
  });

  it('refuses an origin the file does not hold, naming those it does', () => {
    expect(() => pickOrigin(mixed, 'https://other.test')).toThrow(ReplayInputError);
    expect(() => pickOrigin(mixed, 'https://other.test')).toThrow(/https:\/\/api\.test \(2\)/);
  });

  it('keeps a one-origin file whole', () => {
    const one = parseHar(har(entry(), entry()));
    expect(pickOrigin(one)).toMatchObject({ origin: 'http://api.test', leftOut: [] });
    expect(pickOrigin(one).exchanges).toHaveLength(2);
  });
});
