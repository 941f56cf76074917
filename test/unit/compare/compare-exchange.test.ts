import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compareExchange } from '../../../libs/compare/compare-exchange.js';
import { ComparisonBudgetError } from '../../../libs/compare/errors.js';
import type { Comparison } from '../../../libs/compare/difference.js';
import { exchange } from './exchange-builder.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const review = {
  id: 7,
  title: 'Great espresso',
  rating: 5,
  author: { id: 'u-19', name: 'Ana' },
  items: [
    { sku: 'ESP-1', price: 1.2 },
    { sku: 'PDN-4', price: 1.5 },
  ],
  body: 'Crema was perfect, the pastel de nata still warm. '.repeat(30),
};
const reviewBytes = Buffer.from(JSON.stringify(review));

function summary(comparison: Comparison): Array<[string, string]> {
  return comparison.differences.map((d) => [d.path, d.kind]);
}

describe('compareExchange: status, headers, shadow error', () => {
  it('finds nothing between identical JSON responses', () => {
    const result = compareExchange(exchange({ headers: JSON_TYPE, body: review }, { headers: JSON_TYPE, body: review }));
    expect(result).toEqual({ differences: [], risk: null });
  });

  it('ignores volatile headers and reports a changed header', () => {
    const result = compareExchange(
      exchange(
        { headers: { ...JSON_TYPE, date: 'Tue, 04 Mar 2025 10:00:00 GMT', 'x-request-id': 'a', 'cache-control': 'max-age=60' }, body: review },
        { headers: { ...JSON_TYPE, date: 'Tue, 04 Mar 2025 10:00:03 GMT', 'x-request-id': 'b', 'cache-control': 'no-store' }, body: review },
      ),
    );
    expect(result.differences).toEqual([
      { path: 'header.cache-control', field: 'header.cache-control', kind: 'header_changed', primary: 'max-age=60', shadow: 'no-store', risk: 'medium' },
    ]);
    expect(result.risk).toBe('medium');
  });

  it('passes ignoreHeaders on to the header comparison', () => {
    const result = compareExchange(
      exchange({ headers: { ...JSON_TYPE, 'x-served-by': 'a' }, body: review }, { headers: { ...JSON_TYPE, 'x-served-by': 'b' }, body: review }),
      { ignoreHeaders: ['x-served-by'] },
    );
    expect(result.differences).toEqual([]);
  });

  it.each([
    ['within a class', 200, 201, 'medium'],
    ['to another class', 200, 404, 'high'],
    ['to a 5xx', 502, 503, 'high'],
  ] as const)('reports a status change %s', (_name, p, s, risk) => {
    const result = compareExchange(exchange({ status: p, headers: JSON_TYPE, body: review }, { status: s, headers: JSON_TYPE, body: review }));
    expect(result.differences).toEqual([{ path: 'status', field: 'status', kind: 'status_changed', primary: p, shadow: s, risk }]);
    expect(result.risk).toBe(risk);
  });

  it('counts a shadow 5xx as a mismatch even when the primary failed the same way', () => {
    const failing = { status: 503, headers: JSON_TYPE, body: { error: 'unavailable' } };
    const result = compareExchange(exchange(failing, failing));
    expect(result.differences).toEqual([{ path: 'shadow', field: 'shadow', kind: 'shadow_error', primary: 503, shadow: 'status 503', risk: 'high' }]);
    expect(result.risk).toBe('high');
  });

  it('does not count a primary 5xx that the shadow reproduces below 500 as a shadow error', () => {
    const result = compareExchange(exchange({ status: 500, headers: JSON_TYPE, body: review }, { status: 200, headers: JSON_TYPE, body: review }));
    expect(result.differences.map((d) => d.kind)).toEqual(['status_changed']);
  });

  it('reports a shadow error as exactly one high-risk difference', () => {
    const base = exchange({ headers: JSON_TYPE, body: review }, {});
    const result = compareExchange({
      ...base,
      shadow: null,
      shadowError: { code: 'timeout', message: 'no response within 2000 ms', latencyMs: 2000 },
    });
    expect(result).toEqual({
      differences: [{ path: 'shadow', field: 'shadow', kind: 'shadow_error', primary: 200, shadow: 'timeout: no response within 2000 ms', risk: 'high' }],
      risk: 'high',
    });
  });
});

describe('compareExchange: skipping the body', () => {
  const p = { headers: { 'content-type': 'text/plain' }, body: 'primary body' };
  const s = { headers: { 'content-type': 'text/plain' }, body: 'shadow body' };

  it('compares the body otherwise (control)', () => {
    expect(summary(compareExchange(exchange(p, s)))).toEqual([['body', 'text_differs']]);
  });

  it.each([
    ['HEAD', 'HEAD'],
    ['head in lower case', 'head'],
  ])('skips the body for %s', (_name, method) => {
    expect(compareExchange(exchange(p, s, { method })).differences).toEqual([]);
  });

  it.each([
    ['204 on both', 204, 204, []],
    ['304 on both', 304, 304, []],
    ['204 on the shadow only', 200, 204, [['status', 'status_changed']]],
    ['304 on the primary only', 304, 200, [['status', 'status_changed']]],
  ] as const)('skips the body for %s', (_name, pStatus, sStatus, expected) => {
    const result = compareExchange(exchange({ ...p, status: pStatus }, { ...s, status: sStatus }));
    expect(summary(result)).toEqual(expected);
  });

  it('finds nothing when both bodies are empty, even with different content types', () => {
    const result = compareExchange(exchange({ headers: {}, body: '' }, { headers: {}, body: '' }));
    expect(result.differences).toEqual([]);
  });
});

describe('compareExchange: decoding', () => {
  const gzipped = (level: number) => ({
    headers: { ...JSON_TYPE, 'content-encoding': 'gzip', 'content-length': '0' },
    body: gzipSync(reviewBytes, { level }),
  });

  it('matches the same JSON gzipped at levels 1 and 9', () => {
    const p = gzipped(1);
    const s = gzipped(9);
    expect(p.body.equals(s.body)).toBe(false);
    expect(compareExchange(exchange(p, s))).toEqual({ differences: [], risk: null });
  });

  it('finds a change inside gzipped JSON', () => {
    const s = { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(Buffer.from(JSON.stringify({ ...review, rating: 3 }))) };
    expect(compareExchange(exchange(gzipped(6), s)).differences).toEqual([
      { path: '$.rating', field: '$.rating', kind: 'value_changed', primary: 5, shadow: 3, risk: 'medium' },
    ]);
  });

  it.each([
    ['deflate', deflateSync(reviewBytes)],
    ['br', brotliCompressSync(reviewBytes)],
  ] as const)('compares gzip against %s by content: only the header differs', (coding, body) => {
    const result = compareExchange(exchange(gzipped(6), { headers: { ...JSON_TYPE, 'content-encoding': coding }, body }));
    expect(result.differences).toEqual([
      { path: 'header.content-encoding', field: 'header.content-encoding', kind: 'header_changed', primary: 'gzip', shadow: coding, risk: 'medium' },
    ]);
  });

  it('compares an uncompressed shadow with a compressed primary by content', () => {
    const result = compareExchange(exchange(gzipped(6), { headers: JSON_TYPE, body: reviewBytes }));
    expect(summary(result)).toEqual([['header.content-encoding', 'header_removed']]);
  });

  it('reports a corrupt gzip body on the shadow as binary_differs with the error', () => {
    const corrupt = Buffer.from(gzipSync(reviewBytes));
    corrupt.fill(0xff, 10, 60);
    const result = compareExchange(exchange(gzipped(6), { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: corrupt }));
    expect(result.differences).toHaveLength(1);
    const [d] = result.differences;
    expect(d).toMatchObject({ path: 'body', field: 'body', kind: 'binary_differs', risk: 'medium' });
    expect(d?.primary).toEqual({ size: reviewBytes.length, sha256: createHash('sha256').update(reviewBytes).digest('hex') });
    expect(d?.shadow).toMatchObject({ size: corrupt.length, error: expect.stringMatching(/^gzip: corrupt data/) });
  });

  it('finds nothing when both sides carry the same undecodable bytes', () => {
    const weird = { headers: { ...JSON_TYPE, 'content-encoding': 'compress' }, body: Buffer.from('LZW...') };
    expect(compareExchange(exchange(weird, weird)).differences).toEqual([]);
  });

  it('stops a compression bomb at maxDecodedBytes', () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20), { level: 9 });
    const result = compareExchange(
      exchange({ headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(reviewBytes) }, { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: bomb }),
      { maxDecodedBytes: 64 * 1024 },
    );
    expect(result.differences).toEqual([
      expect.objectContaining({
        kind: 'binary_differs',
        shadow: expect.objectContaining({ error: `gzip: decoded body exceeds the limit of ${64 * 1024} bytes` }),
      }),
    ]);
  });

  it('reads each side in its own charset', () => {
    const text = 'Café crème, très bon';
    const result = compareExchange(
      exchange(
        { headers: { 'content-type': 'text/plain; charset=iso-8859-1' }, body: Buffer.from(text, 'latin1') },
        { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(text, 'utf8') },
      ),
    );
    expect(summary(result)).toEqual([['header.content-type', 'header_changed']]);
  });

  it('parses JSON sent in utf-16le', () => {
    const type = { 'content-type': 'application/json; charset=utf-16le' };
    const result = compareExchange(
      exchange({ headers: type, body: Buffer.from(JSON.stringify({ name: 'Zoë' }), 'utf16le') }, { headers: type, body: Buffer.from(JSON.stringify({ name: 'Zoe' }), 'utf16le') }),
    );
    expect(result.differences).toEqual([{ path: '$.name', field: '$.name', kind: 'value_changed', primary: 'Zoë', shadow: 'Zoe', risk: 'medium' }]);
  });
});

describe('compareExchange: bodies by content kind', () => {
  it('reports a change of content kind as one body_type_changed', () => {
    const result = compareExchange(
      exchange({ headers: JSON_TYPE, body: review }, { headers: { 'content-type': 'text/html' }, body: '<h1>Great espresso</h1>' }),
    );
    expect(result.differences).toEqual([
      expect.objectContaining({ path: 'header.content-type', kind: 'header_changed' }),
      { path: 'body', field: 'body', kind: 'body_type_changed', primary: 'application/json; charset=utf-8', shadow: 'text/html', risk: 'high' },
    ]);
    expect(result.risk).toBe('high');
  });

  it('compares JSON structurally', () => {
    const shadow = { ...review, items: [{ sku: 'ESP-1', price: 1.3 }], author: { id: 'u-19' }, helpful: 4 };
    const result = compareExchange(exchange({ headers: JSON_TYPE, body: review }, { headers: JSON_TYPE, body: shadow }));
    expect(result.differences.map((d) => [d.path, d.field, d.kind, d.risk])).toEqual([
      ['$.author.name', '$.author.name', 'field_removed', 'high'],
      ['$.items', '$.items', 'array_length', 'medium'],
      ['$.items[0].price', '$.items[*].price', 'value_changed', 'medium'],
      ['$.helpful', '$.helpful', 'field_added', 'low'],
    ]);
    expect(result.risk).toBe('high');
  });

  it('treats +json types as JSON', () => {
    const type = { 'content-type': 'application/problem+json' };
    const result = compareExchange(
      exchange({ status: 404, headers: type, body: { title: 'Not Found', status: 404 } }, { status: 404, headers: type, body: { status: 404, title: 'Not found' } }),
    );
    expect(summary(result)).toEqual([['$.title', 'value_changed']]);
  });

  it('reports JSON that no longer parses as body_type_changed', () => {
    const result = compareExchange(exchange({ headers: JSON_TYPE, body: review }, { headers: JSON_TYPE, body: '{"id": 7, "title": "Great esp' }));
    expect(result.differences).toEqual([
      {
        path: 'body',
        field: 'body',
        kind: 'body_type_changed',
        primary: 'application/json; charset=utf-8',
        shadow: 'application/json; charset=utf-8 (invalid JSON)',
        risk: 'high',
      },
    ]);
  });

  it('compares bodies as text when neither parses as JSON', () => {
    const result = compareExchange(exchange({ headers: JSON_TYPE, body: 'Internal error' }, { headers: JSON_TYPE, body: 'Internal Error' }));
    expect(result.differences).toEqual([
      {
        path: 'body',
        field: 'body',
        kind: 'text_differs',
        primary: 'Internal error',
        shadow: 'Internal Error',
        risk: 'medium',
        detail: [
          '--- primary',
          '+++ shadow',
          '@@ -1,1 +1,1 @@',
          '-Internal error',
          '\\ No newline at end of file',
          '+Internal Error',
          '\\ No newline at end of file',
          '',
        ].join('\n'),
      },
    ]);
  });

  it('compares forms field by field', () => {
    const type = { 'content-type': 'application/x-www-form-urlencoded' };
    const result = compareExchange(
      exchange(
        { headers: type, body: 'grant_type=client_credentials&scope=read&scope=write&expires_in=3600&state=abc' },
        { headers: type, body: 'scope=read&scope=write&scope=admin&expires_in=7200&grant_type=client_credentials&nonce=n1' },
      ),
    );
    expect(result.differences).toEqual([
      { path: 'form.expires_in', field: 'form.expires_in', kind: 'value_changed', primary: '3600', shadow: '7200', risk: 'medium' },
      { path: 'form.nonce', field: 'form.nonce', kind: 'field_added', primary: null, shadow: 'n1', risk: 'low' },
      { path: 'form.scope', field: 'form.scope', kind: 'value_changed', primary: 'read,write', shadow: 'read,write,admin', risk: 'medium' },
      { path: 'form.state', field: 'form.state', kind: 'field_removed', primary: 'abc', shadow: null, risk: 'high' },
    ]);
  });

  it('finds nothing between forms with the same fields in another order and encoding', () => {
    const type = { 'content-type': 'application/x-www-form-urlencoded' };
    const result = compareExchange(exchange({ headers: type, body: 'q=caf%C3%A9+cr%C3%A8me&page=2' }, { headers: type, body: 'page=2&q=caf%C3%A9%20cr%C3%A8me' }));
    expect(result.differences).toEqual([]);
  });

  it('compares text whole and cuts the values to 4096 characters', () => {
    const type = { 'content-type': 'text/html; charset=utf-8' };
    const p = `<html><body>${'<p>Great espresso</p>'.repeat(500)}</body></html>`;
    const s = p.replace('</body>', '<footer>v2</footer></body>');
    const result = compareExchange(exchange({ headers: type, body: p }, { headers: type, body: s }));
    expect(result.differences).toEqual([
      {
        path: 'body',
        field: 'body',
        kind: 'text_differs',
        primary: p.slice(0, 4096),
        shadow: s.slice(0, 4096),
        risk: 'medium',
        // One 10 KB line on each side: the line diff of the whole texts is over 16 KiB, so it is cut.
        detail: expect.stringMatching(/^--- primary\n\+\+\+ shadow\n@@ -1,1 \+1,1 @@\n-<html><body><p>Great espresso[\s\S]*\n… \(truncated\)$/),
      },
    ]);
    expect(Buffer.byteLength(result.differences[0]?.detail ?? '')).toBeLessThanOrEqual(16 * 1024);
    expect(compareExchange(exchange({ headers: type, body: p }, { headers: type, body: p })).differences).toEqual([]);
  });

  it('treats a missing content type as text', () => {
    const result = compareExchange(exchange({ body: 'OK' }, { body: 'ok' }));
    expect(summary(result)).toEqual([['body', 'text_differs']]);
  });

  it('compares binary bodies by sha256', () => {
    const type = { 'content-type': 'image/png' };
    const p = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    const s = Buffer.from('89504e470d0a1a0a0000000d4948445200000002', 'hex');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(compareExchange(exchange({ headers: type, body: p }, { headers: type, body: Buffer.from(p) })).differences).toEqual([]);
    expect(compareExchange(exchange({ headers: type, body: p }, { headers: type, body: s })).differences).toEqual([
      { path: 'body', field: 'body', kind: 'binary_differs', primary: { size: p.length, sha256: sha(p) }, shadow: { size: s.length, sha256: sha(s) }, risk: 'medium' },
    ]);
  });

  it('survives a JSON body nested 20,000 levels: a result or a ComparisonBudgetError', () => {
    const depth = 20_000;
    const deep = (leaf: number) => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
    let result: Comparison;
    try {
      result = compareExchange(exchange({ headers: JSON_TYPE, body: deep(1) }, { headers: JSON_TYPE, body: deep(2) }));
    } catch (error) {
      expect(error).toBeInstanceOf(ComparisonBudgetError);
      return;
    }
    expect(result.differences).toHaveLength(1);
    expect(result.differences[0]).toMatchObject({ kind: 'value_changed', primary: 1, shadow: 2, field: `$${'.a'.repeat(depth)}` });
  });
});
