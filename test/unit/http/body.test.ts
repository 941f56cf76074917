/** The one empty body and the one way to build a captured body (libs/http/body.ts). */
import { describe, expect, it } from 'vitest';
import { capturedBody, EMPTY_BODY, isEmptyBody, ownBytes, ownedBody } from '../../../libs/http/body.js';

describe('EMPTY_BODY', () => {
  it('is no bytes, whole, and cannot be changed', () => {
    expect(EMPTY_BODY).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
    expect(Object.isFrozen(EMPTY_BODY)).toBe(true);
    expect(isEmptyBody(EMPTY_BODY)).toBe(true);
  });
});

describe('capturedBody', () => {
  it('is whole by default: its size is its bytes', () => {
    const bytes = Buffer.from('abc');
    const body = capturedBody(bytes);
    expect(body).toEqual({ bytes, size: 3, truncated: false });
    expect(body.bytes).toBe(bytes);
    expect(Object.keys(body)).toEqual(['bytes', 'size', 'truncated']);
  });

  it('says how much was seen when only a prefix was kept', () => {
    expect(capturedBody(Buffer.from('ab'), 10, true)).toEqual({ bytes: Buffer.from('ab'), size: 10, truncated: true });
    expect(capturedBody(Buffer.alloc(0), 7, true)).toEqual({ bytes: Buffer.alloc(0), size: 7, truncated: true });
  });
});

describe('ownedBody', () => {
  it('copies the bytes into memory of their own', () => {
    const pool = Buffer.from('a small buffer from the shared pool');
    const slice = pool.subarray(2, 7);
    const body = ownedBody(slice);
    expect(body).toEqual({ bytes: Buffer.from('small'), size: 5, truncated: false });
    expect(body.bytes.buffer).not.toBe(pool.buffer);
    expect(body.bytes.byteOffset).toBe(0);
    expect(body.bytes.buffer.byteLength).toBe(5);
  });

  it('is EMPTY_BODY for no bytes', () => {
    expect(ownedBody(Buffer.alloc(0))).toBe(EMPTY_BODY);
  });

  it('ownBytes copies', () => {
    const bytes = Buffer.from('xyz');
    const copy = ownBytes(bytes);
    bytes[0] = 0x41;
    expect(copy.toString()).toBe('xyz');
  });
});
