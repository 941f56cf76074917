/**
 * Forwarding headers: a client's X-Forwarded-* are trusted only from the proxies named by
 * --trust-proxy; otherwise the ingress sets them from the connection. A primary that cannot be
 * reached answers the client a generic 502; its address goes to the logs only.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/load-config.js';
import { ShadowDiffError } from '../../libs/errors.js';
import { spawnCli } from '../support/cli-process.js';
import { closedPortUrl, json, type Upstream } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const CLIENT_FORWARDING = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', forwarded: 'for=203.0.113.9;proto=https' };

async function seenBy(trustProxy: string | undefined): Promise<{ primary: Upstream; shadow: Upstream }> {
  const primary = await scope.upstream((_req, res) => json(res, 200, { ok: true }));
  const shadow = await scope.upstream((_req, res) => json(res, 200, { ok: true }));
  const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, trustProxy === undefined ? {} : { trustProxy });
  await (await request(`${h.ingress}/x`, { headers: { ...CLIENT_FORWARDING, host: 'shop.example' } })).body.dump();
  await h.settled(1);
  return { primary, shadow };
}

describe('forwarding headers', () => {
  it('sets them from the connection when no proxy is trusted, to the primary and the shadow alike', async () => {
    const { primary, shadow } = await seenBy(undefined);
    for (const side of [primary, shadow]) {
      const h = side.seen[0]?.headers ?? {};
      expect(h['x-forwarded-for']).toBe('127.0.0.1');
      expect(h['x-forwarded-proto']).toBe('http');
      expect(h['x-forwarded-host']).toBeUndefined();
      expect(h.forwarded).toBeUndefined();
    }
  });

  it.each([['127.0.0.1'], ['loopback'], ['1'], ['10.0.0.0/8,127.0.0.0/8']])('passes them on, appended, when the peer is trusted (--trust-proxy %s)', async (trust) => {
    const { primary } = await seenBy(trust);
    const h = primary.seen[0]?.headers ?? {};
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-forwarded-host']).toBe('evil.example');
    expect(h.forwarded).toBe('for=203.0.113.9;proto=https');
  });

  it('does not trust a peer outside the list', async () => {
    const { primary } = await seenBy('10.0.0.0/8');
    const h = primary.seen[0]?.headers ?? {};
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
  });

  it('refuses a --trust-proxy it cannot read', () => {
    for (const bad of ['nonsense', '0', '-1', '300.1.1.1', '65']) {
      expect(() => loadConfig({ flags: { trustProxy: bad }, env: {} })).toThrow(ShadowDiffError);
    }
  });
});

describe('a primary that cannot be reached', () => {
  it('answers a generic 502 with the code; the address goes to the logs only', async () => {
    const down = await closedPortUrl();
    const shadow = await scope.upstream((_req, res) => json(res, 200, { ok: true }));
    const all = spawnCli(['start', '--primary', down, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', tempDb()]);
    scope.defer(async () => {
      all.kill('SIGTERM');
      await all.exited();
    });
    const port = (await all.ready()).port('ingress');
    const res = await request(`http://127.0.0.1:${port}/x`);
    expect(res.statusCode).toBe(502);
    const text = await res.body.text();
    expect(JSON.parse(text)).toEqual({ error: 'Bad Gateway', code: 'SD_ERR_PRIMARY_UNREACHABLE', message: expect.any(String) });
    const downPort = new URL(down).port;
    expect(text).not.toMatch(new RegExp(`ECONNREFUSED|127\\.0\\.0\\.1|${downPort}`));
    const logged = new RegExp(`ECONNREFUSED[^\\n]*${downPort}|${downPort}[^\\n]*ECONNREFUSED`);
    await waitFor(() => all.output(), (o) => logged.test(o), 5000, 'the address in the logs');
    expect(all.output()).toMatch(logged);
  }, 30_000);
});
