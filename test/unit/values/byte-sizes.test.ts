import { describe, expect, it } from 'vitest';
import { readByteSize } from '../../../libs/values/byte-sizes.js';

describe('byte sizes', () => {
  it.each([
    ['65536', 65536],
    ['64KiB', 65536],
    ['64 kb', 65536],
    ['1MiB', 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['0', 0],
  ])('reads %s', (text, bytes) => {
    expect(readByteSize(text)).toBe(bytes);
  });

  it.each(['', '1.5MiB', '-1', '1TiB', 'MiB', '1 MiB '])('refuses %j', (text) => {
    expect(readByteSize(text)).toBeUndefined();
  });
});
