/**
 * Real traffic for the web report: a primary, a shadow (the candidate) and a secondary (noise), with
 * shadow-diff started in front of them and requests sent through its ingress. Shared by the browser
 * test and the screenshot script.
 *
 * - GET /items/:id   JSON; `nonce` changes on every call in every version (noise, seen by the
 *                    secondary); the shadow changes `price` on ids divisible by 3 (medium) and drops
 *                    `name` on ids divisible by 7 (high).
 * - GET /users/:id   JSON; the shadow adds `nickname` on even ids (low) and answers 503 on ids
 *                    divisible by 4 (a shadow error).
 * - GET /docs/:id    text; the shadow rewrites a line and adds one on odd ids (line diff).
 * - GET /health      identical everywhere.
 */
import { request } from 'undici';
import type { OptionKey } from '../../libs/config/options.js';
import type { ServerResponse } from 'node:http';
import { startHarness, type Harness, type Summary } from '../support/harness.js';
import { json, startUpstream, type SeenRequest, type Upstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

export interface Seeded {
  harness: Harness;
  /** Headers the report API needs (the bearer token when one is set). */
  headers: Record<string, string>;
  /** GET a report API route, with the token when one is set. */
  get<T>(path: string): Promise<T>;
  /** Mirrored requests sent so far. */
  sent: number;
  /** Sends one batch (ids offset by `round` so each batch is new traffic) and waits until it is compared. */
  sendBatch(round?: number): Promise<void>;
  close(): Promise<void>;
}

let clock = 0;
const idOf = (url: string) => Number.parseInt(url.split('/')[2] ?? '0', 10);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function doc(n: number, version: number): string {
  const lines = [
    `# Release notes ${n}`,
    '',
    'Reviews are sorted by date, newest first.',
    `Ratings use ${version === 2 && n % 2 === 1 ? 'half stars' : 'whole stars'} from 1 to 5.`,
    'Authors can edit a review for 24 hours.',
    ...(version === 2 && n % 2 === 1 ? ['Moderators see flagged reviews first.'] : []),
    'Deleted reviews are kept for 30 days.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Version 1 plays primary and secondary, version 2 the shadow. */
function service(version: 1 | 2) {
  return async (req: SeenRequest, res: ServerResponse): Promise<void> => {
    const n = idOf(req.url);
    // A little latency, the shadow a bit slower, so the percentiles say something.
    await pause(1 + (n % 3) + (version === 2 ? 2 : 0));
    if (req.url.startsWith('/items/')) {
      const body: Record<string, unknown> = {
        id: n,
        name: `Item ${n}`,
        price: version === 2 && n % 3 === 0 ? 12.5 : 10,
        currency: 'EUR',
        nonce: `n${++clock}`,
        stock: { warehouse: 'eu-west', count: n * 3 },
        tags: ['book', n % 2 === 0 ? 'even' : 'odd'],
      };
      if (version === 2 && n % 7 === 0) delete body.name;
      return json(res, 200, body, { 'x-version': 'v1' });
    }
    if (req.url.startsWith('/users/')) {
      if (version === 2 && n % 4 === 0) return json(res, 503, { error: 'upstream overloaded' });
      const body: Record<string, unknown> = { id: n, email: `user${n}@example.com`, plan: n % 2 === 0 ? 'pro' : 'free' };
      if (version === 2 && n % 2 === 0) body.nickname = `user-${n}`;
      return json(res, 200, body);
    }
    if (req.url.startsWith('/docs/')) {
      const text = doc(n, version);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    return json(res, 200, { status: 'ok' });
  };
}

export function batchPaths(round = 0): string[] {
  const base = round * 100;
  return [
    ...Array.from({ length: 30 }, (_, i) => `/items/${base + i + 1}`),
    ...Array.from({ length: 12 }, (_, i) => `/users/${base + i + 1}`),
    ...Array.from({ length: 6 }, (_, i) => `/docs/${base + i + 1}`),
    ...Array.from({ length: 4 }, () => '/health'),
  ];
}

export async function seedReport(overrides: Partial<Record<OptionKey, string>> = {}, rounds = 1): Promise<Seeded> {
  const upstreams: Upstream[] = await Promise.all([startUpstream(service(1)), startUpstream(service(2)), startUpstream(service(1))]);
  const [primary, shadow, secondary] = upstreams as [Upstream, Upstream, Upstream];
  let harness: Harness;
  try {
    harness = await startHarness('embedded', { primary: primary.url, shadow: shadow.url, secondary: secondary.url }, overrides);
  } catch (error) {
    await Promise.all(upstreams.map((u) => u.close()));
    throw error;
  }
  const headers: Record<string, string> = overrides.reportToken ? { authorization: `Bearer ${overrides.reportToken}` } : {};
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(harness.report + path, { headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const seeded: Seeded = {
    harness,
    headers,
    get,
    sent: 0,
    async sendBatch(round = 0) {
      const paths = batchPaths(round);
      // A few at a time: quick, and the ingress sees real concurrency.
      for (let i = 0; i < paths.length; i += 4) {
        await Promise.all(paths.slice(i, i + 4).map((p) => request(harness.ingress + p).then((r) => r.body.dump())));
      }
      seeded.sent += paths.length;
      await waitFor(
        () => get<Summary>('/api/v1/summary'),
        (s) => s.compared + s.skipped + s.dropped >= seeded.sent,
        15_000,
        `${seeded.sent} pairs accounted for`,
      );
    },
    async close() {
      await harness.close();
      await Promise.all(upstreams.map((u) => u.close()));
    },
  };
  for (let round = 0; round < rounds; round++) await seeded.sendBatch(round);
  return seeded;
}

/** A candidate answering /items/:id like the primary but breaking one field: replay targets for /compare. */
export const itemsCandidate = (breaks: 'price' | 'currency') => (req: SeenRequest, res: ServerResponse) => {
  const n = idOf(req.url);
  json(res, 200, { id: n, name: `Item ${n}`, price: breaks === 'price' ? 11 : 10, currency: breaks === 'currency' ? 'USD' : 'EUR' });
};

/** Replays the live run into `run` against `candidate` (replay API) and waits until it is done. */
export async function replayLive(seeded: Seeded, run: string, candidate: string): Promise<void> {
  const res = await request(`${seeded.harness.report}/api/v1/replays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...seeded.headers },
    body: JSON.stringify({ fromRun: 'live', candidate, run }),
  });
  if (res.statusCode !== 202) throw new Error(`replay ${run}: ${res.statusCode} ${await res.body.text()}`);
  const { id } = (await res.body.json()) as { id: string };
  await waitFor(() => seeded.get<{ status: string }>(`/api/v1/replays/${id}`), (r) => r.status !== 'running', 20_000, `replay ${run} done`);
}
