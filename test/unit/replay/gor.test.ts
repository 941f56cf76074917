import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplayInputError } from '../../../libs/errors.js';
import { GorParser, isGzip, parseGor, readGorFile } from '../../../libs/replay/formats/gor.js';
import type { ParseResult, RecordedExchange } from '../../../libs/replay/formats/recorded-exchange.js';
import { IMAGE_BODY, SAMPLE_GOR, UPLOAD_BODY } from '../../fixtures/replay/generate-gor.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/replay/${name}`, import.meta.url));
const SEP = '\n🐵🙈🙉\n';
const T0 = 1_700_000_000_000_000_000n;

const bytesOf = (bytes: Buffer) => bytes;
const textOf = (bytes: Buffer) => bytes.toString('latin1');

/** One gor record: payload header, message, separator. */
function rec(header: string, ...message: Array<string | Buffer>): Buffer {
  return Buffer.concat([Buffer.from(`${header}\n`), ...message.map((m) => (typeof m === 'string' ? Buffer.from(m, 'latin1') : m)), Buffer.from(SEP)]);
}

const GET = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function only(result: ParseResult): RecordedExchange {
  expect(result.problems).toEqual([]);
  expect(result.exchanges).toHaveLength(1);
  return result.exchanges[0] as RecordedExchange;
}

const byUrl = (result: ParseResult, url: string) => result.exchanges.find((e) => e.request.url === url);

const tmp = mkdtempSync(join(tmpdir(), 'gor-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the committed GoReplay fixtures', () => {
  it('are what generate-gor.ts writes', () => {
    expect(readFileSync(fixture('sample.gor')).equals(SAMPLE_GOR)).toBe(true);
    expect(isGzip(readFileSync(fixture('sample.gor.gz')))).toBe(true);
  });
});

describe('parseGor on the sample file', () => {
  const result = parseGor(readFileSync(fixture('sample.gor')));

  it('pairs requests with their original responses by id, in request order', () => {
    expect(result.exchanges.map((e) => [e.position, e.request.method, e.request.url, e.response?.status ?? null])).toEqual([
      [1, 'GET', '/reviews/1?lang=en', 200],
      [3, 'GET', '/reviews/2/feed', 200],
      [7, 'POST', '/upload', 201],
      [10, 'DELETE', '/reviews/9', null],
    ]);
  });

  it('reads headers, timestamps and latency', () => {
    const first = byUrl(result, '/reviews/1?lang=en');
    expect(first?.request.headers).toEqual({ host: 'reviews:9080', accept: 'application/json' });
    expect(first?.startedAt).toBe(1_700_000_000_000);
    expect(first?.origin).toBeNull();
    expect(first?.response?.headers).toEqual({ 'content-type': 'application/json', 'content-length': '33' });
    expect(textOf(first?.response?.body.bytes ?? Buffer.alloc(0))).toBe('{"id":1,"stars":5,"text":"great"}');
    expect(first?.response?.latencyMs).toBe(12.345);
  });

  it('ignores replayed (type 3) responses', () => {
    expect(byUrl(result, '/reviews/1?lang=en')?.response?.status).toBe(200);
    expect(result.problems.map((p) => p.position)).not.toContain(4);
  });

  it('de-chunks a chunked response and drops transfer-encoding', () => {
    const feed = byUrl(result, '/reviews/2/feed');
    expect(textOf(feed?.response?.body.bytes ?? Buffer.alloc(0))).toBe('hello, world!');
    expect(feed?.response?.body).toMatchObject({ size: 13, truncated: false });
    expect(feed?.response?.headers).toEqual({ 'content-type': 'text/plain' });
  });

  it('keeps binary bodies intact byte for byte', () => {
    const upload = byUrl(result, '/upload');
    expect(bytesOf(upload?.request.body.bytes ?? Buffer.alloc(0)).equals(UPLOAD_BODY)).toBe(true);
    expect(upload?.request.body.size).toBe(256);
    expect(bytesOf(upload?.response?.body.bytes ?? Buffer.alloc(0)).equals(IMAGE_BODY)).toBe(true);
    expect(upload?.response?.body.size).toBe(IMAGE_BODY.length);
  });

  it('reports the malformed record with its position and byte offset, and the orphan response', () => {
    expect(result.problems).toEqual([
      { position: 5, message: expect.stringMatching(/^record 5 .*bad header line "X-Broken header line" at byte 42 of the HTTP message; skipped$/) },
      { position: 9, message: expect.stringMatching(/^record 9: response id e5 has no request/) },
    ]);
  });

  it('gives the same result whatever the chunking of the input', () => {
    for (const size of [1, 3, 7, 64]) {
      const parser = new GorParser();
      for (let i = 0; i < SAMPLE_GOR.length; i += size) parser.push(SAMPLE_GOR.subarray(i, i + size));
      expect(parser.end()).toEqual(result);
    }
  });
});

describe('readGorFile', () => {
  it('gunzips a .gor.gz', async () => {
    expect(await readGorFile(fixture('sample.gor.gz'))).toEqual(parseGor(readFileSync(fixture('sample.gor'))));
  });

  it('recognises gzip by its magic bytes, not its name', async () => {
    const path = join(tmp, 'traffic.gor');
    writeFileSync(path, gzipSync(rec(`1 x ${T0}`, GET)));
    expect(only(await readGorFile(path)).request.url).toBe('/a');
    const plain = join(tmp, 'plain.gor.gz');
    writeFileSync(plain, rec(`1 x ${T0}`, GET));
    expect(only(await readGorFile(plain)).request.url).toBe('/a');
  });

  it('keeps the records before a cut-off gzip stream and reports it', async () => {
    const whole = Buffer.concat([rec(`1 x ${T0}`, GET), rec(`2 x ${T0}`, OK), Buffer.alloc(4000, 'z')]);
    const gz = gzipSync(whole, { level: 0 });
    const path = join(tmp, 'cut.gor.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 100));
    const result = await readGorFile(path);
    expect(result.exchanges.map((e) => e.response?.status)).toEqual([200]);
    expect(result.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/gzip data is cut short or corrupt/));
  });

  it('throws a ReplayInputError for a file it cannot read', async () => {
    await expect(readGorFile(join(tmp, 'missing.gor'))).rejects.toThrow(ReplayInputError);
    await expect(readGorFile(join(tmp, 'missing.gor'))).rejects.toThrow(/cannot read GoReplay file .*missing\.gor/);
  });

  it('isGzip checks the magic bytes', () => {
    expect(isGzip(Buffer.from([0x1f, 0x8b, 8]))).toBe(true);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.from('1 abc 123\n'))).toBe(false);
  });
});

describe('parseGor records', () => {
  it('accepts LF-only line ends', () => {
    const e = only(
      parseGor(
        Buffer.concat([
          rec(`1 id1 ${T0} -1`, 'POST /lf?x=1 HTTP/1.1\nHost: h\nContent-Length: 5\n\nab\ncd'),
          rec(`2 id1 ${T0 + 2_000_000n} 1500000`, 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nxyz\n0\n\n'),
        ]),
      ),
    );
    expect(e.request.headers).toEqual({ host: 'h', 'content-length': '5' });
    expect(textOf(e.request.body.bytes)).toBe('ab\ncd');
    expect(textOf(e.response?.body.bytes ?? Buffer.alloc(0))).toBe('xyz');
    expect(e.response?.latencyMs).toBe(1.5);
  });

  it('falls back to the time between the records when gor wrote no latency', () => {
    const e = only(parseGor(Buffer.concat([rec(`1 i ${T0}`, GET), rec(`2 i ${T0 + 7_250_000n}`, OK)])));
    expect(e.response?.latencyMs).toBe(7.25);
    expect(e.startedAt).toBe(1_700_000_000_000);
  });

  it('pairs a response recorded before its request, and follows the requests for the order', () => {
    const result = parseGor(Buffer.concat([rec(`2 b ${T0}`, OK), rec(`1 a ${T0}`, 'GET /first HTTP/1.1\r\n\r\n'), rec(`1 b ${T0}`, 'GET /second HTTP/1.1\r\n\r\n')]));
    expect(result.problems).toEqual([]);
    expect(result.exchanges.map((e) => [e.request.url, e.response?.status ?? null])).toEqual([
      ['/first', null],
      ['/second', 200],
    ]);
  });

  it.each([
    ['an unknown type', rec(`4 x ${T0}`, GET), /unknown payload type "4"/],
    ['no timestamp', rec('1 x', GET), /bad timestamp ""/],
    ['a bad timestamp', rec('1 x yesterday', GET), /bad timestamp "yesterday"/],
    ['a bad request line', rec(`1 x ${T0}`, 'GET /a\r\nHost: h\r\n\r\n'), /bad request line "GET \/a" at byte 0/],
    ['an HTTP/2 preface', rec(`1 x ${T0}`, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), /bad request line/],
    ['a CONNECT target', rec(`1 x ${T0}`, 'CONNECT h:443 HTTP/1.1\r\n\r\n'), /unsupported request target "h:443"/],
    ['a non-numeric status', rec(`2 x ${T0}`, 'HTTP/1.1 OK Fine\r\n\r\n'), /bad status line "HTTP\/1.1 OK Fine" at byte 0/],
    ['a bad header line', rec(`1 x ${T0}`, 'GET /a HTTP/1.1\r\nHost h\r\n\r\n'), /bad header line "Host h" at byte 17/],
    ['a bad content-length', rec(`1 x ${T0}`, 'POST /a HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n'), /invalid Content-Length "1e3"/],
    ['a bad chunk size', rec(`2 x ${T0}`, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), /bad chunk size line "zz" at byte 47/],
    ['an empty message', rec(`1 x ${T0}`), /the message is empty/],
  ])('reports a record with %s and goes on', (_name, bad, message) => {
    const result = parseGor(Buffer.concat([rec(`1 a ${T0}`, 'GET /before HTTP/1.1\r\n\r\n'), bad, rec(`1 b ${T0}`, 'GET /after HTTP/1.1\r\n\r\n')]));
    expect(result.exchanges.map((e) => [e.position, e.request.url])).toEqual([
      [1, '/before'],
      [3, '/after'],
    ]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.position).toBe(2);
    expect(result.problems[0]?.message).toMatch(/^record 2 \(input byte \d+\): /);
    expect(result.problems[0]?.message).toMatch(message);
  });

  it('reports duplicate ids and keeps the first', () => {
    const result = parseGor(Buffer.concat([rec(`1 a ${T0}`, GET), rec(`2 a ${T0}`, OK), rec(`1 a ${T0}`, 'GET /b HTTP/1.1\r\n\r\n'), rec(`2 a ${T0}`, 'HTTP/1.1 500 X\r\n\r\n')]));
    expect(result.exchanges.map((e) => [e.request.url, e.response?.status])).toEqual([['/a', 200]]);
    expect(result.problems.map((p) => [p.position, p.message.replace(/ \(input byte \d+\)/, '')])).toEqual([
      [3, 'record 3: duplicate request id a (first at record 1); skipped'],
      [4, 'record 4: duplicate response id a (first at record 2); skipped'],
    ]);
  });

  it('marks a body cut short by the recorder as truncated', () => {
    const e = only(parseGor(Buffer.concat([rec(`1 a ${T0}`, 'POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123'), rec(`2 a ${T0}`, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab')])));
    expect(e.request.body).toEqual({ bytes: Buffer.from('0123'), size: 10, truncated: true });
    expect(e.response?.body).toEqual({ bytes: Buffer.from('ab'), size: 5, truncated: true });
  });

  it('de-chunks a chunked request body', () => {
    const e = only(parseGor(rec(`1 a ${T0}`, 'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n')));
    expect(textOf(e.request.body.bytes)).toBe('Wikipedia');
    expect(e.request.headers).toEqual({ host: 'h' });
  });

  it('takes the body by Content-Length, else the rest of the record', () => {
    const result = parseGor(
      Buffer.concat([
        rec(`1 a ${T0}`, 'PUT /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdef'),
        rec(`1 b ${T0}`, 'PUT /b HTTP/1.1\r\n\r\nall of it'),
        rec(`2 b ${T0}`, 'HTTP/1.0 200 OK\r\n\r\n\r\nbody\r\n'),
      ]),
    );
    expect(textOf(byUrl(result, '/a')?.request.body.bytes ?? Buffer.alloc(0))).toBe('abc');
    expect(textOf(byUrl(result, '/b')?.request.body.bytes ?? Buffer.alloc(0))).toBe('all of it');
    expect(textOf(byUrl(result, '/b')?.response?.body.bytes ?? Buffer.alloc(0))).toBe('\r\nbody\r\n');
  });

  it('keeps content-encoding and the raw body of a response', () => {
    const gz = gzipSync('{"a":1}');
    const e = only(
      parseGor(Buffer.concat([rec(`1 a ${T0}`, GET), rec(`2 a ${T0}`, `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`, gz)])),
    );
    expect(e.response?.headers['content-encoding']).toBe('gzip');
    expect(bytesOf(e.response?.body.bytes ?? Buffer.alloc(0)).equals(gz)).toBe(true);
  });

  it('gives a HEAD, 204 or 304 response no body', () => {
    const result = parseGor(
      Buffer.concat([
        rec(`1 a ${T0}`, 'HEAD /a HTTP/1.1\r\n\r\n'),
        rec(`2 a ${T0}`, 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'),
        rec(`1 b ${T0}`, 'GET /b HTTP/1.1\r\n\r\n'),
        rec(`2 b ${T0}`, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n'),
      ]),
    );
    expect(result.problems).toEqual([]);
    expect(result.exchanges.map((e) => e.response?.body)).toEqual([
      { bytes: Buffer.alloc(0), size: 0, truncated: false },
      { bytes: Buffer.alloc(0), size: 0, truncated: false },
    ]);
    expect(result.exchanges[0]?.response?.headers['content-length']).toBe('1234');
  });

  it('skips an interim 100 Continue recorded ahead of the final response', () => {
    const e = only(parseGor(Buffer.concat([rec(`1 a ${T0}`, GET), rec(`2 a ${T0}`, 'HTTP/1.1 100 Continue\r\n\r\n', OK)])));
    expect(e.response?.status).toBe(200);
    expect(textOf(e.response?.body.bytes ?? Buffer.alloc(0))).toBe('ok');
  });

  it('takes the origin from an absolute-form request target', () => {
    const e = only(parseGor(rec(`1 a ${T0}`, 'GET http://Reviews:9080/r/1?x HTTP/1.1\r\nHost: reviews:9080\r\n\r\n')));
    expect([e.origin, e.request.url]).toEqual(['http://reviews:9080', '/r/1?x']);
  });

  it('reads a last record without a separator and ignores blank space between records', () => {
    const result = parseGor(Buffer.concat([Buffer.from('\n\n'), rec(`1 a ${T0}`, GET), Buffer.from('\r\n'), Buffer.from(`2 a ${T0}\n${OK}`)]));
    expect(only(result).response?.status).toBe(200);
  });

  it('never throws, whatever the bytes', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round += 1) {
      const mutated = Buffer.from(SAMPLE_GOR);
      for (let i = 0; i < 1 + round % 20; i += 1) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const cut = mutated.subarray(0, Math.floor(random() * mutated.length) + 1);
      expect(() => parseGor(cut)).not.toThrow();
    }
    expect(parseGor(Buffer.alloc(0))).toEqual({ exchanges: [], problems: [] });
  });
});
