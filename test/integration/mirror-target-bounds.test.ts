/**
 * mirror-target mode in-process (`start --mode mirror-target`), requests sent as a mesh's mirror would:
 * each copy ends compared, skipped or dropped with its reason, and is answered 202 whatever happens next.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useScope } from '../support/scope.js';
import { closedPortUrl, json } from '../support/upstream.js';
import { sleep } from '../support/wait.js';

const scope = useScope();
const MIRROR = { mode: 'mirror-target' } as const;

async function mirror(ingress: string, method: string, path: string, body?: string): Promise<number> {
  const res = await request(`${ingress}${path}`, { method: method as 'GET', headers: { host: 'reviews-shadow:9080' }, ...(body !== undefined ? { body } : {}) });
  const text = await res.body.text();
  expect(text).toBe('');
  return res.statusCode;
}

const dropped = async (admin: string, reason: string) => {
  const text = await (await fetch(`${admin}/metrics`)).text();
  return Number(new RegExp(`shadowdiff_ingress_dropped_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 'NaN');
};

describe('mirror-target mode: every copy accounted for', () => {
  it('sends a listed write with its body to every side, and skips a body over the capture limit without sending it', async () => {
    // Small answers: the capture limit applies to them too.
    const echo = (req: { body: Buffer }, res: Parameters<typeof json>[0]) => json(res, 200, { len: req.body.length });
    const primary = await scope.upstream(echo);
    const shadow = await scope.upstream(echo);
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, { ...MIRROR, mirrorMethods: 'GET,POST', captureMaxBytes: '16' });
    expect(await mirror(h.ingress, 'POST', '/orders', '{"n":1}')).toBe(202);
    expect(await mirror(h.ingress, 'POST', '/orders', 'x'.repeat(64))).toBe(202);
    expect(await mirror(h.ingress, 'PUT', '/orders/1', '{"n":2}')).toBe(202);
    const s = await h.settled(3);
    expect(s).toMatchObject({ compared: 1, mismatched: 0, skipped: 2, skippedByReason: { request_body_too_large: 1, unsafe_method: 1 } });
    expect(primary.seen.map((r) => [r.method, r.body.toString(), r.headers.host])).toEqual([['POST', '{"n":1}', 'reviews:9080']]);
    expect(shadow.seen.map((r) => [r.method, r.body.toString(), r.headers.host])).toEqual([['POST', '{"n":1}', 'reviews-shadow:9080']]);
  });

  it('skips an exchange whose primary is down as primary_error, and still answers 202', async () => {
    const shadow = await scope.upstream((_req, res) => json(res, 200, { ok: true }));
    const h = await scope.harness('embedded', { primary: await closedPortUrl(), shadow: shadow.url }, MIRROR);
    expect(await mirror(h.ingress, 'GET', '/a')).toBe(202);
    expect(await h.settled(1)).toMatchObject({ compared: 0, skipped: 1, skippedByReason: { primary_error: 1 } });
  });

  it('drops and counts copies past the shadow and the primary in-flight bounds', async () => {
    let primaryDelay = 0;
    let shadowDelay = 400;
    const primary = await scope.upstream(async (_req, res) => {
      await sleep(primaryDelay);
      json(res, 200, { ok: true });
    });
    const shadow = await scope.upstream(async (_req, res) => {
      await sleep(shadowDelay);
      json(res, 200, { ok: true });
    });
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, { ...MIRROR, shadowMaxInFlight: '1', adminListen: '127.0.0.1:0' });
    const admin = h.admin as string;
    // A slow shadow holds its one slot: the next two copies are dropped.
    expect(await Promise.all(['/1', '/2', '/3'].map((p) => mirror(h.ingress, 'GET', p)))).toEqual([202, 202, 202]);
    expect(await h.settled(3)).toMatchObject({ compared: 1, dropped: 2 });
    expect(await dropped(admin, 'shadow_in_flight_limit')).toBe(2);
    // A slow primary holds its slot while the shadow's is free again.
    [primaryDelay, shadowDelay] = [400, 0];
    expect(await mirror(h.ingress, 'GET', '/4')).toBe(202);
    await sleep(100);
    expect(await mirror(h.ingress, 'GET', '/5')).toBe(202);
    expect(await h.settled(5)).toMatchObject({ compared: 2, dropped: 3 });
    expect(await dropped(admin, 'primary_in_flight_limit')).toBe(1);
  });
});
