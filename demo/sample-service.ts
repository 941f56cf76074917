import { randomUUID } from 'node:crypto';
/**
 * A small "reviews" service to demonstrate shadow-diff: `v1` plays the primary, `v2` the candidate.
 *
 * Data is derived from the ids alone (no randomness), so v1 and v2 answer the same request the same
 * way except where v2 changes on purpose:
 * - `GET /reviews/:id`: v2 adds `sentiment`; for ids divisible by 5 it returns `rating` as a string
 *   (a type change); `GET /reviews/13` fails with a 500.
 * - `GET /products/:id`: v2 changes `price` for ids divisible by 3 and drops `currency` for ids
 *   divisible by 7.
 * - `GET /products/:id/reviews` and `GET /health` are identical in both versions.
 * `updatedAt` on a review is the current time: volatile on purpose (noise). Nothing in a response
 * depends on the Host header, so the shadow's `-shadow` host suffix makes no difference.
 *
 * Run directly: `node --import tsx demo/sample-service.ts --version v2 --port 9080 [--host 0.0.0.0]`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export type SampleVersion = 'v1' | 'v2';

export interface SampleServiceOptions {
  version: SampleVersion;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface SampleService {
  url: string;
  close(): Promise<void>;
}

const SERVER_HEADER = 'sample-reviews';

const TITLES = ['Does the job', 'Great value', 'Not what I expected', 'Solid build', 'Would buy again', 'Too noisy', 'Perfect gift'];
const TEXTS = [
  'Arrived on time and works as described.',
  'Battery life is shorter than advertised.',
  'Easy to set up, the manual is clear.',
  'Feels cheap, but it does what it should.',
  'Excellent quality for the price.',
  'Stopped working after two weeks.',
];
const NAMES = ['Ada', 'Brian', 'Chen', 'Dana', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kofi'];
const TAGS = ['durable', 'value', 'design', 'battery', 'shipping', 'size', 'sound'];
const PRODUCT_NAMES = ['Desk Lamp', 'Travel Mug', 'Headphones', 'Backpack', 'Water Bottle', 'Keyboard', 'Notebook', 'Speaker'];

/** A small deterministic integer hash (xorshift-multiply), so neighbouring ids look unrelated. */
function mix(n: number, salt: number): number {
  let x = (n * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 2246822519) >>> 0;
  x ^= x >>> 13;
  return x >>> 0;
}

const pick = <T>(list: readonly T[], n: number, salt: number): T => list[mix(n, salt) % list.length] as T;

const ratingOf = (reviewId: number): number => 1 + (mix(reviewId, 1) % 5);
/** Review ids 1, 2, 3, … belong to products 1..10 in turn. */
const productOfReview = (reviewId: number): number => ((reviewId - 1) % 10) + 1;

function sentimentOf(rating: number): 'positive' | 'neutral' | 'negative' {
  return rating >= 4 ? 'positive' : rating === 3 ? 'neutral' : 'negative';
}

function review(id: number, version: SampleVersion): Record<string, unknown> {
  const rating = ratingOf(id);
  const tagCount = mix(id, 2) % 3;
  const tags = Array.from({ length: tagCount }, (_, i) => pick(TAGS, id, 10 + i)).filter((t, i, all) => all.indexOf(t) === i);
  const body: Record<string, unknown> = {
    id,
    productId: productOfReview(id),
    // v2 regression: the rating turns into a string for ids divisible by 5.
    rating: version === 'v2' && id % 5 === 0 ? String(rating) : rating,
    title: pick(TITLES, id, 3),
    text: pick(TEXTS, id, 4),
    reviewer: { name: pick(NAMES, id, 5), verified: mix(id, 6) % 3 !== 0 },
    tags,
    updatedAt: new Date().toISOString(),
    // Rendered per response, in every version: noise that only a secondary can tell apart.
    renderId: randomUUID(),
  };
  if (version === 'v2') body.sentiment = sentimentOf(rating);
  return body;
}

function product(id: number, version: SampleVersion): Record<string, unknown> {
  const cents = 499 + (mix(id, 7) % 9500);
  // v2 change: a new pricing rule for ids divisible by 3 (+10 %, rounded to the cent).
  const priceCents = version === 'v2' && id % 3 === 0 ? Math.round(cents * 1.1) : cents;
  const body: Record<string, unknown> = {
    id,
    name: `${pick(PRODUCT_NAMES, id, 8)} #${id}`,
    price: priceCents / 100,
    currency: 'EUR',
    stock: mix(id, 9) % 120,
  };
  // v2 regression: currency is gone for ids divisible by 7.
  if (version === 'v2' && id % 7 === 0) delete body.currency;
  return body;
}

/** Reviews of a product, paged: reviews productId, productId + 10, productId + 20, … (25 in all). */
function productReviews(productId: number, url: URL): { status: number; body: unknown } {
  const page = Number(url.searchParams.get('page') ?? '1');
  const pageSize = Number(url.searchParams.get('pageSize') ?? '5');
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
    return { status: 400, body: { error: 'Bad Request', message: 'page must be >= 1 and pageSize 1..50' } };
  }
  const total = 25;
  const first = (page - 1) * pageSize;
  const items = [];
  for (let i = first; i < Math.min(first + pageSize, total); i++) {
    const id = productId + i * 10;
    items.push({ id, rating: ratingOf(id), title: pick(TITLES, id, 3), reviewer: pick(NAMES, id, 5) });
  }
  const pages = Math.ceil(total / pageSize);
  return { status: 200, body: { productId, page, pageSize, total, pages, nextPage: page < pages ? page + 1 : null, items } };
}

function route(version: SampleVersion, method: string, url: URL): { status: number; body: unknown; allow?: string } {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: 'Method Not Allowed' }, allow: 'GET, HEAD' };
  const path = url.pathname;
  if (path === '/health') return { status: 200, body: { status: 'ok' } };

  let m = /^\/reviews\/(\d{1,9})$/.exec(path);
  if (m) {
    const id = Number(m[1]);
    if (id < 1) return notFound(`no review ${id}`);
    if (version === 'v2' && id === 13) return { status: 500, body: { error: 'Internal Server Error', message: 'review renderer crashed' } };
    return { status: 200, body: review(id, version) };
  }
  m = /^\/products\/(\d{1,9})\/reviews$/.exec(path);
  if (m) {
    const id = Number(m[1]);
    return id < 1 ? notFound(`no product ${id}`) : productReviews(id, url);
  }
  m = /^\/products\/(\d{1,9})$/.exec(path);
  if (m) {
    const id = Number(m[1]);
    return id < 1 ? notFound(`no product ${id}`) : { status: 200, body: product(id, version) };
  }
  return notFound(`no route for ${path}`);
}

function notFound(message: string): { status: number; body: unknown } {
  return { status: 404, body: { error: 'Not Found', message } };
}

function handle(version: SampleVersion, req: IncomingMessage, res: ServerResponse): void {
  let result: { status: number; body: unknown; allow?: string };
  try {
    // The Host header is deliberately not used: the base is fixed.
    result = route(version, req.method ?? 'GET', new URL(req.url ?? '/', 'http://sample.invalid'));
  } catch {
    result = { status: 400, body: { error: 'Bad Request' } };
  }
  const text = JSON.stringify(result.body);
  const headers: Record<string, string | number> = {
    server: SERVER_HEADER,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  };
  if (result.allow) headers.allow = result.allow;
  res.writeHead(result.status, headers);
  // node:http sends no body for HEAD by itself.
  res.end(text);
}

export async function startSampleService({ version, port = 0, host = '127.0.0.1' }: SampleServiceOptions): Promise<SampleService> {
  if (version !== 'v1' && version !== 'v2') throw new Error(`unknown version ${String(version)}: use v1 or v2`);
  const server = createServer((req, res) => handle(version, req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((error) => (error ? fail(error) : ok()));
        server.closeIdleConnections();
      }),
  };
}

async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      version: { type: 'string', default: 'v1' },
      port: { type: 'string', default: '9080' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const version = values.version;
  if (version !== 'v1' && version !== 'v2') throw new Error(`--version must be v1 or v2, not ${version}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not ${values.port}`);
  const service = await startSampleService({ version, port, host: values.host });
  console.log(`sample-service ${version}: ${service.url}`);
  const stop = () => {
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`sample-service: ${(error as Error).message}`);
    process.exit(2);
  });
}
