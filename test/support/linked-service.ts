/**
 * A small paginated service that builds absolute URLs from the Host it is sent, as many frameworks do:
 * `Link` and `Content-Location` headers, `self`/`next` links in JSON, a `Location` on redirects, an HTML
 * page with links. It compresses with gzip when asked. Two instances of one variant are the same version.
 */
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { SeenRequest } from './upstream.js';

export interface LinkedServiceVariant {
  /** Path of the `next` links (a real change when it differs between versions). Default `/items`. */
  nextPath?: string;
  /** Extra query on the `next` links. */
  nextQuery?: string;
}

function send(req: SeenRequest, res: ServerResponse, status: number, type: string, text: string, headers: Record<string, string> = {}): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? gzipSync(text) : Buffer.from(text);
  res.writeHead(status, { 'content-type': type, 'content-length': body.length, vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers });
  res.end(body);
}

export function linkedService(variant: LinkedServiceVariant = {}) {
  return (req: SeenRequest, res: ServerResponse): void => {
    const base = `http://${String(req.headers.host)}`;
    const url = new URL(req.url, base);
    if (url.pathname === '/old-items') {
      res.writeHead(301, { location: `${base}/items?page=1`, 'content-length': 0 });
      res.end();
      return;
    }
    if (url.pathname === '/page') {
      send(req, res, 200, 'text/html; charset=utf-8', `<html><body><a href="${base}/items?page=1">items</a> served for ${String(req.headers.host)}</body></html>\n`);
      return;
    }
    if (url.pathname !== '/items') {
      send(req, res, 404, 'application/json', JSON.stringify({ error: 'not found' }));
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const next = `${base}${variant.nextPath ?? '/items'}?page=${page + 1}${variant.nextQuery ?? ''}`;
    const self = `${base}/items?page=${page}`;
    const body = { items: [page * 10, page * 10 + 1], self, next, links: { first: `${base}/items?page=1` }, host: String(req.headers.host) };
    send(req, res, 200, 'application/json', JSON.stringify(body), { link: `<${next}>; rel="next", <${base}/items?page=1>; rel="first"`, 'content-location': self });
  };
}
