/** The one way each header question is answered (libs/http/headers.ts). */
import { describe, expect, it } from 'vitest';
import { firstHeader, headerList, headerMapOf, headerValue, joinedValue, mediaType, withoutHeaders } from '../../../libs/http/headers.js';

describe('joinedValue', () => {
  it('joins a repeated header with ", " or the separator given', () => {
    expect(joinedValue('a')).toBe('a');
    expect(joinedValue(['a', 'b'])).toBe('a, b');
    expect(joinedValue(['a=1', 'b=2'], '; ')).toBe('a=1; b=2');
    expect(joinedValue([])).toBe('');
  });
});

describe('headerValue', () => {
  it('finds the name in any case and joins a repeated header', () => {
    expect(headerValue({ 'content-type': 'text/plain' }, 'Content-Type')).toBe('text/plain');
    expect(headerValue({ 'Content-Encoding': ['gzip', 'br'] }, 'content-encoding')).toBe('gzip, br');
    expect(headerValue({ accept: '*/*' }, 'content-type')).toBeUndefined();
  });

  it('prefers the lower-case name when both are there', () => {
    expect(headerValue({ Vary: 'a', vary: 'b' }, 'vary')).toBe('b');
  });
});

describe('headerList', () => {
  it('splits every value of a list header on commas, trimmed, without empty elements', () => {
    expect(headerList('gzip, br')).toEqual(['gzip', 'br']);
    expect(headerList(['keep-alive , X-A', ' ,x-b,'])).toEqual(['keep-alive', 'X-A', 'x-b']);
    expect(headerList('')).toEqual([]);
    expect(headerList(undefined)).toEqual([]);
  });
});

describe('firstHeader', () => {
  it('reads exactly the lower-case name, the first of a repeated header', () => {
    expect(firstHeader({ 'content-type': ['text/html', 'text/plain'] }, 'content-type')).toBe('text/html');
    expect(firstHeader({ host: 'a:1' }, 'host')).toBe('a:1');
    expect(firstHeader({ Host: 'a:1' }, 'host')).toBeUndefined();
    expect(firstHeader({ host: undefined }, 'host')).toBeUndefined();
  });
});

describe('mediaType', () => {
  it('is the lower-case type/subtype without parameters', () => {
    expect(mediaType(' Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(mediaType('text/plain')).toBe('text/plain');
    expect(mediaType(';x')).toBe('');
    expect(mediaType(undefined)).toBe('');
  });
});

describe('headerMapOf', () => {
  it('lower-cases names and collects a repeated name in order, keeping every header', () => {
    const map = headerMapOf([
      ['Set-Cookie', 'a=1'],
      ['Transfer-Encoding', 'chunked'],
      ['set-cookie', 'b=2'],
      ['SET-COOKIE', 'c=3'],
      [':authority', 'h'],
    ]);
    expect(map).toEqual({ 'set-cookie': ['a=1', 'b=2', 'c=3'], 'transfer-encoding': 'chunked', ':authority': 'h' });
    expect(Object.keys(map)).toEqual(['set-cookie', 'transfer-encoding', ':authority']);
  });
});

describe('withoutHeaders', () => {
  it('copies the map without the names given', () => {
    const headers = { etag: '"1"', 'content-length': '3', accept: '*/*' };
    expect(withoutHeaders(headers, ['etag', 'content-length'])).toEqual({ accept: '*/*' });
    expect(headers).toEqual({ etag: '"1"', 'content-length': '3', accept: '*/*' });
  });
});
