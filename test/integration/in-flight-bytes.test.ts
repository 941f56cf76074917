/**
 * --shadow-max-in-flight-bytes: every capture of a pair in flight (the request body, the primary's,
 * the shadow's and the secondary's responses) counts against one byte budget until the pair is
 * queued; a pair that does not fit is dropped and counted (shadow_in_flight_limit), and the client
 * still gets the primary's answer whole.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useScope } from '../support/scope.js';

const scope = useScope();

const MODES = ['inline', 'mirror-target'] as const;

async function droppedByInFlight(admin: string): Promise<number> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const m = /shadowdiff_ingress_dropped_total\{reason="shadow_in_flight_limit"\} (\d+)/.exec(text);
  return Number(m?.[1] ?? Number.NaN);
}

describe.each(MODES)('--mode %s', (mode) => {
  it('counts the responses against the in-flight bytes, drops a pair past them, and gives the bytes back once a pair is queued', async () => {
    // 1,000 bytes from the primary; the shadow answers 1,000 bytes, or 2,100 on /big.
    const body = (n: number) => 'x'.repeat(n);
    const primary = await scope.upstream((_req, res) => void res.end(body(1000)));
    const shadow = await scope.upstream((req, res) => void res.end(body(req.url.startsWith('/big') ? 2100 : 1000)));
    const h = await scope.harness(
      'embedded',
      { primary: primary.url, shadow: shadow.url },
      { mode, shadowMaxInFlightBytes: '3000', captureMaxBytes: '4000', adminListen: '127.0.0.1:0', mirrorMethods: 'GET' },
    );
    const hit = async (path: string) => {
      const res = await request(`${h.ingress}${path}`);
      const text = await res.body.text();
      if (mode === 'inline') expect(text).toBe(body(1000));
      else expect(res.statusCode).toBe(202);
    };
    // Ten pairs of 2,000 bytes one after the other: each fits once the one before is queued.
    for (let i = 0; i < 10; i++) await hit(`/fits/${i}`);
    await h.settled(10);
    // 1,000 + 2,100 bytes do not fit 3,000.
    await hit('/big');
    const s = await h.settled(11);
    expect(s).toMatchObject({ compared: 10, skipped: 0, dropped: 1 });
    expect(await droppedByInFlight(h.admin as string)).toBe(1);
  });
});
