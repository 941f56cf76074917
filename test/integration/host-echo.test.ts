/**
 * The host echo: the shadow is sent the client's Host with `-shadow` appended, and a service that builds
 * absolute URLs from its Host sends that host back. Two identical servers must compare equal; a real
 * change in those URLs must still show. Real servers, the real ingress and comparator.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { linkedService } from '../support/linked-service.js';
import { useScope } from '../support/scope.js';

const scope = useScope();

const PATHS = ['/items?page=1', '/items?page=2', '/items?page=3', '/old-items', '/page'];

/** Each path with the ingress's own Host (with a port), then with a Host without port. */
async function traffic(ingress: string): Promise<number> {
  let n = 0;
  for (const host of [undefined, 'shop.internal']) {
    for (const path of PATHS) {
      const res = await request(`${ingress}${path}`, { headers: { 'accept-encoding': 'gzip', ...(host ? { host } : {}) } });
      await res.body.dump();
      n++;
    }
  }
  return n;
}

type Fields = { endpoints: { endpoint: string; mismatched: number; fields: { path: string }[] }[] };

describe('host echo', () => {
  it('an A/A pair of services building URLs from Host has no mismatch', async () => {
    const primary = await scope.upstream(linkedService());
    const shadow = await scope.upstream(linkedService());
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url });
    const n = await traffic(h.ingress);
    const s = await h.settled(n);
    expect(shadow.seen[0]?.headers.host).toMatch(/-shadow/);
    expect(s).toMatchObject({ compared: n, mismatched: 0 });
  });

  it('is compared as sent with --host-echo off', async () => {
    const primary = await scope.upstream(linkedService());
    const shadow = await scope.upstream(linkedService());
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, { hostEcho: 'off' });
    const n = await traffic(h.ingress);
    const s = await h.settled(n);
    // Every response of this service carries the host it was sent: all of them differ.
    expect(s).toMatchObject({ compared: n, mismatched: n });
  });

  it('still shows a real change of path or query in those URLs', async () => {
    const primary = await scope.upstream(linkedService());
    const otherPath = await scope.upstream(linkedService({ nextPath: '/v2/items' }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: otherPath.url });
    const n = await traffic(h.ingress);
    const s = await h.settled(n);
    expect(s.mismatched).toBe(6); // the three /items pages, with each Host
    const report = await h.get<Fields>('/api/v1/endpoints');
    const items = report.endpoints.find((e) => e.endpoint === 'GET /items');
    expect(items?.fields.map((f) => f.path).sort()).toEqual(['$.next', 'header.link']);
    const discrepancies = await h.get<{ items: { id: string }[] }>('/api/v1/discrepancies?limit=1');
    const detail = await h.get<{ differences: { path: string; primary: string; shadow: string }[] }>(`/api/v1/discrepancies/${discrepancies.items[0]?.id}`);
    const next = detail.differences.find((d) => d.path === '$.next');
    // Shown as the primary's host, so only the real change remains.
    expect(next?.shadow).toBe(String(next?.primary).replace('/items?', '/v2/items?'));

    const otherQuery = await scope.upstream(linkedService({ nextQuery: '&sort=desc' }));
    const h2 = await scope.harness('embedded', { primary: primary.url, shadow: otherQuery.url });
    const n2 = await traffic(h2.ingress);
    expect((await h2.settled(n2)).mismatched).toBe(6);
  });
});
