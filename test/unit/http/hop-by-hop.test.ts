/** The one hop-by-hop list: what the ingress strips is what the comparator never compares. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_IGNORED_HEADERS, compareHeaders } from '../../../libs/compare/compare-headers.js';
import { HOP_BY_HOP_HEADERS, withoutHopByHop } from '../../../libs/http/hop-by-hop.js';

describe('HOP_BY_HOP_HEADERS', () => {
  it('names the connection-level headers of RFC 9110 §7.6.1', () => {
    expect([...HOP_BY_HOP_HEADERS].sort()).toEqual(
      ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'].sort(),
    );
  });

  it('is part of what the comparator ignores, also with an allow list', () => {
    for (const name of HOP_BY_HOP_HEADERS) expect(DEFAULT_IGNORED_HEADERS).toContain(name);
    const all = Object.fromEntries([...HOP_BY_HOP_HEADERS].map((name) => [name, 'a']));
    const other = Object.fromEntries([...HOP_BY_HOP_HEADERS].map((name) => [name, 'b']));
    expect(compareHeaders(all, other)).toEqual([]);
    expect(compareHeaders(all, other, { allow: [...HOP_BY_HOP_HEADERS] })).toEqual([]);
  });
});

describe('withoutHopByHop', () => {
  it('drops them in any case, and the headers Connection names, lower-casing the rest', () => {
    expect(
      withoutHopByHop({ Connection: undefined, connection: ['close', 'X-Private'], 'Proxy-Connection': 'keep-alive', 'x-private': '1', 'X-Kept': 'k', skipped: undefined }),
    ).toEqual({ 'x-kept': 'k' });
  });

  it('copies: the map given is not changed', () => {
    const headers = { te: 'trailers', accept: '*/*' };
    const out = withoutHopByHop(headers);
    out.accept = 'x';
    expect(headers).toEqual({ te: 'trailers', accept: '*/*' });
  });
});
