/** A pair with very many differences is a mismatch: a capped list is stored with the true total, and nothing vanishes. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';

const scope = useScope();

const ITEMS = 3000;
const list = (v: string) => ({ items: Array.from({ length: ITEMS }, (_, i) => ({ id: i, v })) });

describe('a shadow whose JSON list differs in every element', () => {
  it('counts each such pair as a mismatch, stores 1,000 differences with the true total, and fails the gate', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, req.url?.startsWith('/big') ? list('a') : { ok: true }));
    const shadow = await scope.upstream((req, res) => json(res, 200, req.url?.startsWith('/big') ? list('b') : { ok: true }));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url });
    for (let i = 0; i < 100; i++) await request(`${h.ingress}/ok/${i}`).then((r) => r.body.dump());
    for (let i = 0; i < 30; i++) await request(`${h.ingress}/big/${i}`).then((r) => r.body.dump());
    const s = await h.settled(130);
    expect(s).toMatchObject({ compared: 130, mismatched: 30, skipped: 0 });
    const gate = await h.get<{ data: { verdict: string } }>('/api/v1/gate?maxMismatchRate=0.01&minSamples=100');
    expect(gate.data.verdict).toBe('fail');

    const list1 = await h.get<{ items: { id: string; paths: string[] }[] }>(`/api/v1/discrepancies?endpoint=${encodeURIComponent('GET /big/:id')}&limit=1`);
    const id = list1.items[0]?.id as string;
    const detail = await h.get<{ differences: { path: string }[]; differencesTotal: number; differencesTruncated: boolean }>(`/api/v1/discrepancies/${id}`);
    expect(detail.differences).toHaveLength(1000);
    expect(detail.differencesTotal).toBe(ITEMS);
    expect(detail.differencesTruncated).toBe(true);
    // Same risk everywhere here, so the first 1,000 by path, in natural order.
    expect(detail.differences.map((d) => d.path)).toEqual(Array.from({ length: 1000 }, (_, i) => `$.items[${i}].v`));
    const endpoints = await h.get<{ endpoints: { endpoint: string; mismatched: number; fields: { path: string; mismatches: number }[] }[] }>('/api/v1/endpoints');
    const big = endpoints.endpoints.find((e) => e.endpoint === 'GET /big/:id');
    expect(big?.mismatched).toBe(30);
    expect(big?.fields.find((f) => f.path === '$.items[*].v')?.mismatches).toBe(30);
  }, 60_000);
});
