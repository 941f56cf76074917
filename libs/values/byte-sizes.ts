/** A size in bytes as the option table takes it: `65536`, `64KiB`, `1MiB`, `512mb` (units of 1024, any case). */

const BYTE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

export const BYTE_SIZE_FORMS = 'a size such as 65536, 64KiB or 1MiB';

/** Bytes, or undefined when the text is not a size. */
export function readByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text);
  const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()];
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}
