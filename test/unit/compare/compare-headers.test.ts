import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../../../libs/http/headers.js';
import { compareHeaders, DEFAULT_IGNORED_HEADERS } from '../../../libs/compare/compare-headers.js';

const base: HeaderMap = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'max-age=60',
  vary: 'Accept-Encoding',
};

describe('compareHeaders', () => {
  it('finds nothing between identical headers', () => {
    expect(compareHeaders(base, { ...base }, {})).toEqual([]);
  });

  it('matches names case-insensitively', () => {
    const shadow: HeaderMap = { 'Content-Type': base['content-type']!, 'CACHE-CONTROL': 'max-age=60', Vary: 'Accept-Encoding' };
    expect(compareHeaders(base, shadow, {})).toEqual([]);
  });

  it('reports changed, added and removed headers, sorted by name, with lower-case paths', () => {
    const primary: HeaderMap = { ...base, 'x-ratelimit-limit': '100' };
    const shadow: HeaderMap = { ...base, 'Cache-Control': 'no-store', 'X-Feature': 'new-ranking' };
    delete shadow['cache-control'];
    expect(compareHeaders(primary, shadow, {})).toEqual([
      { path: 'header.cache-control', field: 'header.cache-control', kind: 'header_changed', primary: 'max-age=60', shadow: 'no-store', risk: 'medium' },
      { path: 'header.x-feature', field: 'header.x-feature', kind: 'header_added', primary: null, shadow: 'new-ranking', risk: 'low' },
      { path: 'header.x-ratelimit-limit', field: 'header.x-ratelimit-limit', kind: 'header_removed', primary: '100', shadow: null, risk: 'medium' },
    ]);
  });

  it('joins array values with ", " before comparing', () => {
    const primary: HeaderMap = { vary: ['Accept-Encoding', 'Origin'] };
    expect(compareHeaders(primary, { vary: 'Accept-Encoding, Origin' }, {})).toEqual([]);
    expect(compareHeaders(primary, { vary: ['Origin', 'Accept-Encoding'] }, {})).toEqual([
      expect.objectContaining({ kind: 'header_changed', primary: 'Accept-Encoding, Origin', shadow: 'Origin, Accept-Encoding' }),
    ]);
  });

  it.each([
    ['date', 'Tue, 04 Mar 2025 10:00:00 GMT', 'Tue, 04 Mar 2025 10:00:01 GMT'],
    ['etag', 'W/"abc"', 'W/"def"'],
    ['content-length', '1024', '1031'],
    ['set-cookie', ['sid=1; HttpOnly'], ['sid=2; HttpOnly']],
    ['x-request-id', 'req-1', 'req-2'],
    ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01'],
    ['X-Amzn-Trace-Id', 'Root=1-a', 'Root=1-b'],
    ['transfer-encoding', 'chunked', undefined],
    ['connection', 'keep-alive', 'close'],
    ['server-timing', 'db;dur=53', 'db;dur=12'],
  ] as const)('ignores volatile or hop-by-hop %s', (name, p, s) => {
    const primary: HeaderMap = { ...base, [name]: p as string | string[] };
    const shadow: HeaderMap = s === undefined ? { ...base } : { ...base, [name]: s as string | string[] };
    expect(compareHeaders(primary, shadow, {})).toEqual([]);
  });

  it("ignores a mesh's own headers by prefix (x-envoy-*, x-b3-*), but not lookalikes, and compares them when allowed", () => {
    const primary: HeaderMap = { ...base, 'x-envoy-upstream-service-time': '12', 'x-b3-traceid': 'aa', b3: 'aa-01', 'x-envoyish': 'a' };
    const shadow: HeaderMap = { ...base, 'x-envoy-upstream-service-time': '48', 'x-envoy-decorator-operation': 'reviews:9080/*', 'x-b3-traceid': 'bb', b3: 'bb-01', 'x-envoyish': 'b' };
    expect(compareHeaders(primary, shadow, {}).map((d) => d.path)).toEqual(['header.x-envoyish']);
    expect(compareHeaders(primary, shadow, { allow: ['x-envoy-upstream-service-time'] }).map((d) => d.path)).toEqual(['header.x-envoy-upstream-service-time']);
  });

  it('does not ignore content-encoding', () => {
    expect(DEFAULT_IGNORED_HEADERS).not.toContain('content-encoding');
    expect(compareHeaders({ ...base, 'content-encoding': 'gzip' }, base, {})).toEqual([
      expect.objectContaining({ path: 'header.content-encoding', kind: 'header_removed', primary: 'gzip' }),
    ]);
  });

  it('lists every hop-by-hop header', () => {
    for (const name of ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']) {
      expect(DEFAULT_IGNORED_HEADERS).toContain(name);
    }
  });

  it('applies a custom ignore list, in any case, on top of the defaults', () => {
    const primary: HeaderMap = { ...base, 'x-served-by': 'cache-a', date: 'Tue, 04 Mar 2025 10:00:00 GMT', 'x-version': '1.4.0' };
    const shadow: HeaderMap = { ...base, 'x-served-by': 'cache-b', date: 'Tue, 04 Mar 2025 10:00:02 GMT', 'x-version': '1.5.0' };
    expect(compareHeaders(primary, shadow, { ignore: ['X-Served-By'] })).toEqual([
      expect.objectContaining({ path: 'header.x-version', kind: 'header_changed' }),
    ]);
    expect(compareHeaders(primary, shadow, {}).map((d) => d.path)).toEqual(['header.x-served-by', 'header.x-version']);
  });
});
