import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** A text_differs detail is at most this many bytes (UTF-8), marker included. */
export const MAX_DETAIL_BYTES = 16 * 1024;

/** The line diff is a courtesy: it never spends more than this, whatever the budget left. */
export const MAX_LINE_DIFF_MILLIS = 250;

export const TRUNCATED_MARKER = '… (truncated)';

const HEADER = '--- primary\n+++ shadow\n';

/**
 * A unified line diff of two texts (`--- primary` / `+++ shadow`, 2 lines of context), as jsdiff's
 * createTwoFilesPatch writes it, cut to MAX_DETAIL_BYTES with a `… (truncated)` line at the end.
 *
 * Myers' diff is O(N·D): on long texts that differ everywhere it is slow. jsdiff gives up after
 * `timeoutMs` (capped at MAX_LINE_DIFF_MILLIS); the detail is then one hunk replacing every line of the
 * primary with every line of the shadow (still a valid unified diff, just not a minimal one).
 */
export function lineDiff(primary: string, shadow: string, timeoutMs: number = MAX_LINE_DIFF_MILLIS): string {
  const timeout = Math.max(1, Math.min(MAX_LINE_DIFF_MILLIS, Math.floor(timeoutMs)));
  const patch = createTwoFilesPatch('primary', 'shadow', primary, shadow, undefined, undefined, {
    context: 2,
    headerOptions: FILE_HEADERS_ONLY,
    timeout,
  });
  return capBytes(patch ?? replacement(primary, shadow), MAX_DETAIL_BYTES);
}

/** One hunk: every primary line removed, every shadow line added; built no longer than the cap needs. */
function replacement(primary: string, shadow: string): string {
  const pLines = lines(primary);
  const sLines = lines(shadow);
  const range = (count: number): string => (count === 0 ? '0,0' : `1,${count}`);
  let out = `${HEADER}@@ -${range(pLines.length)} +${range(sLines.length)} @@\n`;
  const append = (prefix: string, text: string, lineList: string[]): void => {
    for (const line of lineList) {
      if (out.length > MAX_DETAIL_BYTES) return;
      out += `${prefix}${line}\n`;
    }
    if (lineList.length > 0 && !text.endsWith('\n') && out.length <= MAX_DETAIL_BYTES) out += '\\ No newline at end of file\n';
  };
  append('-', primary, pLines);
  append('+', shadow, sLines);
  return out;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (text.endsWith('\n')) all.pop();
  return all;
}

/** The text cut to at most `max` UTF-8 bytes (marker included), on a character boundary, at a line end when one is near. */
export function capBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const marker = `\n${TRUNCATED_MARKER}`;
  const budget = max - Buffer.byteLength(marker, 'utf8');
  // Every UTF-16 code unit is at most 3 UTF-8 bytes: start from a prefix that surely fits and grow it.
  let end = Math.min(text.length, Math.floor(budget / 3));
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  let bytes = Buffer.byteLength(text.slice(0, end), 'utf8');
  while (end < text.length) {
    const step = isHighSurrogate(text.charCodeAt(end)) && end + 1 < text.length ? 2 : 1;
    const size = Buffer.byteLength(text.slice(end, end + step), 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += step;
  }
  let cut = text.slice(0, end);
  const lastLine = cut.lastIndexOf('\n');
  if (lastLine > 0 && lastLine > cut.length - 200) cut = cut.slice(0, lastLine);
  return cut + marker;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
