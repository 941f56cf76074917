import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../../../libs/http/headers.js';
import { bodyText, charsetOf, decodeBody } from '../../../libs/compare/decode-body.js';

const MiB = 1024 * 1024;
const review = Buffer.from(
  JSON.stringify({ id: 7, title: 'Great espresso', rating: 5, body: 'Crema was perfect. '.repeat(40) }),
  'utf8',
);

function decoded(raw: Buffer, headers: HeaderMap, maxBytes = 8 * MiB): Buffer {
  const result = decodeBody(raw, headers, maxBytes);
  if ('error' in result) throw new Error(`unexpected decode error: ${result.error}`);
  return result.bytes;
}

function decodeError(raw: Buffer, headers: HeaderMap, maxBytes = 8 * MiB): string {
  const result = decodeBody(raw, headers, maxBytes);
  if (!('error' in result)) throw new Error('expected a decode error');
  return result.error;
}

describe('decodeBody', () => {
  it.each<[string, HeaderMap, Buffer]>([
    ['no content-encoding', {}, review],
    ['identity', { 'content-encoding': 'identity' }, review],
    ['gzip', { 'content-encoding': 'gzip' }, gzipSync(review)],
    ['gzip level 1', { 'content-encoding': 'gzip' }, gzipSync(review, { level: 1 })],
    ['x-gzip', { 'content-encoding': 'x-gzip' }, gzipSync(review)],
    ['GZIP upper case', { 'content-encoding': 'GZIP' }, gzipSync(review)],
    ['deflate (zlib-wrapped)', { 'content-encoding': 'deflate' }, deflateSync(review)],
    ['deflate (raw, fallback)', { 'content-encoding': 'deflate' }, deflateRawSync(review)],
    ['br', { 'content-encoding': 'br' }, brotliCompressSync(review)],
    ['gzip then br, undone in reverse', { 'content-encoding': 'gzip, br' }, brotliCompressSync(gzipSync(review))],
    ['deflate then gzip, as an array', { 'content-encoding': ['deflate', 'gzip'] }, gzipSync(deflateSync(review))],
    ['identity among codings', { 'content-encoding': 'identity, gzip' }, gzipSync(review)],
  ])('%s', (_name, headers, raw) => {
    const bytes = decoded(raw, headers);
    expect(bytes.equals(review)).toBe(true);
  });

  it('returns an empty body unchanged whatever the encoding says', () => {
    expect(decoded(Buffer.alloc(0), { 'content-encoding': 'gzip' }).length).toBe(0);
  });

  it.each([
    ['unknown coding', { 'content-encoding': 'compress' }, review, /unsupported content-encoding "compress"/],
    ['zstd is not supported', { 'content-encoding': 'zstd' }, review, /unsupported content-encoding "zstd"/],
    ['plain bytes labelled gzip', { 'content-encoding': 'gzip' }, review, /^gzip: corrupt data/],
    ['gzip cut in half', { 'content-encoding': 'gzip' }, gzipSync(review).subarray(0, 40), /^gzip: corrupt data/],
    ['garbage labelled deflate', { 'content-encoding': 'deflate' }, Buffer.from('not deflate at all'), /^deflate: corrupt data/],
    ['garbage labelled br', { 'content-encoding': 'br' }, Buffer.from('{"id":7}'), /^br: corrupt data/],
  ] as const)('%s is an error', (_name, headers, raw, message) => {
    expect(decodeError(raw, headers)).toMatch(message);
  });

  it('corrupts a gzip stream in the middle and reports it', () => {
    const raw = Buffer.from(gzipSync(review));
    for (let i = 12; i < raw.length - 8; i++) raw[i] = 0xff;
    expect(decodeError(raw, { 'content-encoding': 'gzip' })).toMatch(/^gzip: /);
  });

  it.each([
    ['gzip', (b: Buffer) => gzipSync(b, { level: 9 })],
    ['deflate', (b: Buffer) => deflateSync(b, { level: 9 })],
    ['br', (b: Buffer) => brotliCompressSync(b)],
  ] as const)('stops a %s bomb at maxBytes', (coding, compress) => {
    const bomb = compress(Buffer.alloc(16 * MiB));
    expect(bomb.length).toBeLessThan(MiB);
    expect(decodeError(bomb, { 'content-encoding': coding }, MiB)).toBe(
      `${coding}: decoded body exceeds the limit of ${MiB} bytes`,
    );
  });

  it('accepts a body exactly at maxBytes', () => {
    const body = Buffer.alloc(4096, 'a');
    expect(decoded(gzipSync(body), { 'content-encoding': 'gzip' }, 4096).length).toBe(4096);
    expect(decodeError(gzipSync(body), { 'content-encoding': 'gzip' }, 4095)).toMatch(/exceeds the limit of 4095 bytes/);
  });
});

describe('charsetOf', () => {
  it.each([
    ['application/json', undefined],
    ['text/html; charset=UTF-8', 'utf-8'],
    ['text/html;charset="ISO-8859-1"', 'iso-8859-1'],
    ['text/plain; format=flowed; charset=utf-16le', 'utf-16le'],
    [undefined, undefined],
  ] as const)('%s -> %s', (contentType, expected) => {
    expect(charsetOf(contentType)).toBe(expected);
  });
});

describe('bodyText', () => {
  const cafe = 'Café crème — 5€';
  it.each([
    ['utf-8 by default', Buffer.from(cafe, 'utf8'), 'text/plain', cafe],
    ['no content type', Buffer.from(cafe, 'utf8'), undefined, cafe],
    ['explicit utf-8', Buffer.from(cafe, 'utf8'), 'text/plain; charset=utf-8', cafe],
    ['utf-8 BOM dropped', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), 'application/json', '{"a":1}'],
    ['latin1', Buffer.from('Café crème', 'latin1'), 'text/plain; charset=latin1', 'Café crème'],
    ['iso-8859-1', Buffer.from('Café crème', 'latin1'), 'text/html; charset=ISO-8859-1', 'Café crème'],
    ['utf-16le', Buffer.from(cafe, 'utf16le'), 'text/plain; charset=utf-16le', cafe],
    ['shift_jis', Buffer.from([0x93, 0xfa, 0x96, 0x7b]), 'text/plain; charset=shift_jis', '日本'],
    ['unknown charset falls back to utf-8', Buffer.from(cafe, 'utf8'), 'text/plain; charset=x-klingon', cafe],
  ] as const)('%s', (_name, bytes, contentType, expected) => {
    expect(bodyText(bytes, contentType)).toBe(expected);
  });

  it('latin1 bytes read as utf-8 differ from the latin1 reading', () => {
    const bytes = Buffer.from('Café', 'latin1');
    expect(bodyText(bytes, 'text/plain')).not.toBe('Café');
  });
});
