import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CapturedBody } from '../../../libs/http/body.js';
import { decodeBody } from '../../../libs/compare/decode-body.js';
import { DecodedBodies } from '../../../libs/compare/decoded-bodies.js';

const captured = (bytes: Buffer): CapturedBody => ({ bytes, size: bytes.length, truncated: false });
const text = '{"name":"café","items":[1,2,3]}'.repeat(20);

describe('DecodedBodies', () => {
  it('decodes a body once and hands the same bytes, text and JSON to every reader', () => {
    const bodies = new DecodedBodies();
    const body = captured(gzipSync(Buffer.from(text)));
    const headers = { 'content-encoding': 'gzip' };
    const first = bodies.decoded(body, headers, 8 * 1024 * 1024);
    expect(bodies.decoded(body, headers, 1024 * 1024)).toBe(first);
    expect(bodies.raw(body)).toBe(bodies.raw(body));
    if (!('bytes' in first)) throw new Error('expected bytes');
    expect(first.bytes.toString()).toBe(text);
    expect(bodies.text(first.bytes, 'application/json')).toBe(text);
    const json = bodies.json(first.bytes, 'application/json; charset=utf-8');
    expect(json).toBe(bodies.json(first.bytes, 'application/json; charset=utf-8'));
    expect(bodies.json(Buffer.from('not json'), 'application/json')).toBeUndefined();
  });

  it('gives what decodeBody gives under each limit, reusing a result only where that is the same', () => {
    const big = Buffer.from(text);
    const cases: Array<[string, CapturedBody, Record<string, string>]> = [
      ['identity', captured(big), {}],
      ['gzip', captured(gzipSync(big)), { 'content-encoding': 'gzip' }],
      ['br over gzip', captured(brotliCompressSync(gzipSync(big))), { 'content-encoding': 'gzip, br' }],
      ['corrupt', captured(Buffer.from('not gzip')), { 'content-encoding': 'gzip' }],
    ];
    for (const [name, body, headers] of cases) {
      const bodies = new DecodedBodies();
      for (const limit of [8 * 1024 * 1024, 100, 1024 * 1024, 50, 8 * 1024 * 1024]) {
        expect(bodies.decoded(body, headers, limit), `${name} under ${limit}`).toEqual(decodeBody(body.bytes, headers, limit));
      }
    }
  });

  it('decodes a text once per charset', () => {
    const bodies = new DecodedBodies();
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    expect(bodies.text(bytes, 'text/plain; charset=latin1')).toBe('café');
    expect(bodies.text(bytes, 'text/plain')).toBe('caf\ufffd');
  });
});
