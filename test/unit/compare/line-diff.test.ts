import { describe, expect, it } from 'vitest';
import { capBytes, lineDiff, MAX_DETAIL_BYTES, MAX_LINE_DIFF_MILLIS } from '../../../libs/compare/line-diff.js';

describe('lineDiff', () => {
  it.each([
    [
      'a line changed in the middle',
      'GET /menu\nespresso 1.20\nnata 1.50\ncappuccino 2.80\nlatte 3.00\ntea 1.80\n',
      'GET /menu\nespresso 1.20\nnata 1.60\ncappuccino 2.80\nlatte 3.00\ntea 1.80\n',
      ['--- primary', '+++ shadow', '@@ -1,5 +1,5 @@', ' GET /menu', ' espresso 1.20', '-nata 1.50', '+nata 1.60', ' cappuccino 2.80', ' latte 3.00', ''],
    ],
    [
      'a line appended without a final newline',
      'ok\n',
      'ok\nwarning: deprecated',
      ['--- primary', '+++ shadow', '@@ -1,1 +1,2 @@', ' ok', '+warning: deprecated', '\\ No newline at end of file', ''],
    ],
  ])('writes a unified diff with two lines of context: %s', (_name, primary, shadow, expected) => {
    expect(lineDiff(primary, shadow)).toBe(expected.join('\n'));
  });

  it('falls back to one hunk replacing every line when the diff runs out of time', () => {
    const text = (seed: number) => Array.from({ length: 20_000 }, (_, i) => `row ${(i * seed) % 9973} ${seed}`).join('\n');
    const started = performance.now();
    const detail = lineDiff(text(7), text(13), 1);
    expect(performance.now() - started).toBeLessThan(MAX_LINE_DIFF_MILLIS * 8);
    expect(detail.startsWith('--- primary\n+++ shadow\n@@ -1,20000 +1,20000 @@\n-row 0 7\n-row 7 7\n')).toBe(true);
    expect(detail.endsWith('\n… (truncated)')).toBe(true);
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
  });
});

describe('capBytes', () => {
  it('leaves a text within the cap alone', () => {
    expect(capBytes('short\ntext', 100)).toBe('short\ntext');
  });

  it.each([
    ['ASCII', 'x'.repeat(50_000)],
    ['2-byte characters', 'é'.repeat(50_000)],
    ['3-byte characters', '☕'.repeat(50_000)],
    ['surrogate pairs', '😀'.repeat(50_000)],
    ['mixed lines', Array.from({ length: 5000 }, (_, i) => `${i} café ☕ 😀`).join('\n')],
  ])('cuts %s to the cap on a character boundary, with the marker', (_name, text) => {
    const cut = capBytes(text, MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(MAX_DETAIL_BYTES - 300);
    expect(cut.endsWith('\n… (truncated)')).toBe(true);
    const kept = cut.slice(0, -'\n… (truncated)'.length);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept).not.toMatch(/[\ud800-\udbff]$/);
  });
});
