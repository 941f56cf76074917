/**
 * mirror-target timeouts: a primary that never answers (or stalls mid-body) past --primary-timeout
 * is a skipped `primary_error`; a shadow that does the same past --shadow-timeout is a shadow error,
 * compared as a mismatch and counted in shadowErrors; a mirror copy whose body arrives too slowly
 * gets 408 and is skipped as `request_timeout`. Every copy sent is accounted for, none twice.
 */
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useScope } from '../support/scope.js';
import { json, type SeenRequest } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const TIMEOUTS = { mode: 'mirror-target', mirrorMethods: 'GET,POST', primaryTimeoutMs: '300ms', shadowTimeoutMs: '300ms', requestTimeoutMs: '400ms' } as const;

/** Never answers (`/never/…`), or sends its headers and part of the body and stalls (`/stall/…`); else answers. */
function hangsOn(prefix: string) {
  return (req: SeenRequest, res: ServerResponse) => {
    if (req.url.startsWith(`/${prefix}/never/`)) return new Promise<void>(() => undefined);
    if (req.url.startsWith(`/${prefix}/stall/`)) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      return new Promise<void>(() => undefined);
    }
    return json(res, 200, { path: req.url, length: req.body.length });
  };
}

async function mirror(ingress: string, path: string): Promise<number> {
  const res = await request(`${ingress}${path}`, { headers: { host: 'reviews-shadow:9080' } });
  await res.body.dump();
  return res.statusCode;
}

/** A mirrored POST whose headers arrive at once and whose body never finishes; resolves what it was answered. */
function slowBody(ingress: string): Promise<string> {
  const { port } = new URL(ingress);
  const socket: Socket = connect({ host: '127.0.0.1', port: Number(port) });
  socket.on('error', () => {});
  scope.defer(() => void socket.destroy());
  let out = '';
  socket.once('connect', () => {
    socket.write('POST /slow HTTP/1.1\r\nHost: reviews-shadow:9080\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nxx');
  });
  socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
  return new Promise<string>((resolve) => socket.once('close', () => resolve(out)));
}

describe('mirror-target mode: timeouts', () => {
  it('counts a silent primary as primary_error, a silent shadow as a shadow error, a slow body as request_timeout; nothing lost', async () => {
    const primary = await scope.upstream(hangsOn('p'));
    const shadow = await scope.upstream(hangsOn('s'));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, TIMEOUTS);

    const paths = ['/ok/1', '/ok/2', '/p/never/1', '/p/stall/1', '/s/never/1', '/s/stall/1'];
    // Each copy is answered 202 at once, whatever its primary and shadow do next.
    expect(await Promise.all(paths.map((p) => mirror(h.ingress, p)))).toEqual(paths.map(() => 202));
    const answers = await Promise.all([slowBody(h.ingress), slowBody(h.ingress)]);
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain('SD_ERR_REQUEST_TIMEOUT');
    }

    const sent = paths.length + answers.length;
    const s = await h.settled(sent);
    expect(s).toMatchObject({
      compared: 4,
      matched: 2,
      mismatched: 2,
      shadowErrors: 2,
      skipped: 4,
      dropped: 0,
      skippedByReason: { primary_error: 2, request_timeout: 2 },
    });
    expect(s.compared + s.skipped + s.dropped).toBe(sent);
    // A slow body is never sent anywhere: the primary and the shadow saw only the six GETs.
    expect(primary.seen.map((r) => r.url).sort()).toEqual([...paths].sort());
    expect(shadow.seen.map((r) => r.url).sort()).toEqual([...paths].sort());

    // The shadow's errors are timeouts, kept as evidence on the discrepancies.
    const list = await h.get<{ items: { id: string; url: string; shadowStatus: number | null }[] }>('/api/v1/discrepancies');
    expect(list.items.map((d) => [d.url, d.shadowStatus]).sort()).toEqual([
      ['/s/never/1', null],
      ['/s/stall/1', null],
    ]);
    for (const d of list.items) {
      const detail = await h.get<{ shadow: { error: string | null } }>(`/api/v1/discrepancies/${d.id}`);
      expect(detail.shadow.error, d.url).toMatch(/^timeout/);
    }
    // Settled means settled: a second look finds no late or double count.
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.summary()).toEqual(s);
  });

  it('frees the slots a timed-out side held: later copies are compared, none dropped', async () => {
    const primary = await scope.upstream(hangsOn('p'));
    const shadow = await scope.upstream(hangsOn('s'));
    const h = await scope.harness('embedded', { primary: primary.url, shadow: shadow.url }, { ...TIMEOUTS, shadowMaxInFlight: '1' });
    // One slot per side: each timed-out copy holds it until its timeout, and must give it back.
    const paths = ['/p/never/1', '/s/never/1', '/ok/1', '/ok/2'];
    for (const [i, p] of paths.entries()) {
      expect(await mirror(h.ingress, p)).toBe(202);
      await waitFor(() => h.summary(), (x) => x.compared + x.skipped + x.dropped >= i + 1, 10_000, p);
    }
    const s = await h.summary();
    expect(s).toMatchObject({ compared: 3, matched: 2, shadowErrors: 1, skipped: 1, dropped: 0, skippedByReason: { primary_error: 1 } });
  });
});
