/**
 * The diff engine end to end through the ingress: noise cancelled by a secondary, rules from the
 * config file, dead rules reported, explicit route templates, compressed bodies.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useScope } from '../support/scope.js';
import { json } from '../support/upstream.js';

interface FieldStats { path: string; mismatches: number; shadowDiffs: number; secondaryDiffs: number; noise: boolean }
interface EndpointStats {
  endpoint: string;
  compared: number;
  mismatched: number;
  comparedWithSecondary: number;
  byRisk: { high: number; medium: number; low: number };
  fields: FieldStats[];
  rules: { rule: string; evaluated: number; hits: number }[];
}

const scope = useScope();
const upstream = scope.upstream;

const harness = scope.harness;

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sd-rules-')), 'shadow-diff.yaml');
  writeFileSync(file, yaml);
  return file;
}

const idOf = (url: string) => Number.parseInt(url.split('/')[2] ?? '0', 10);
let clock = 0;

describe('diff engine through the ingress', () => {
  it('cancels what the secondary shows as noise and still catches the real regression', async () => {
    // Every response carries a nonce that differs on each call, in every version: pure noise.
    const version = (v: number) => (req: { url: string }, res: import('node:http').ServerResponse) =>
      json(res, 200, { id: idOf(req.url), nonce: `n${++clock}`, price: v === 2 && idOf(req.url) % 4 === 0 ? 11 : 10 });
    const primary = await upstream(version(1));
    const secondary = await upstream(version(1));
    const shadow = await upstream(version(2));
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url, secondary: secondary.url });
    for (let i = 1; i <= 20; i++) await request(`${h.ingress}/items/${i}`).then((r) => r.body.dump());
    const s = await h.settled(20);
    expect(s).toMatchObject({ compared: 20, mismatched: 5 }); // ids 4, 8, 12, 16, 20 changed price
    expect(secondary.seen).toHaveLength(20);
    expect(secondary.seen[0]?.headers.host).toBe(primary.seen[0]?.headers.host);

    const { endpoints } = await h.get<{ endpoints: EndpointStats[] }>('/api/v1/endpoints');
    const items = endpoints.find((e) => e.endpoint === 'GET /items/:id');
    expect(items).toMatchObject({ compared: 20, mismatched: 5, comparedWithSecondary: 20, byRisk: { high: 0, medium: 5, low: 0 } });
    expect(items?.fields).toEqual([
      { path: '$.price', mismatches: 5, shadowDiffs: 5, secondaryDiffs: 0, noise: false },
      { path: '$.nonce', mismatches: 0, shadowDiffs: 20, secondaryDiffs: 20, noise: true },
    ]);
    const list = await h.get<{ items: { id: string; paths: string[] }[] }>('/api/v1/discrepancies');
    expect(list.items).toHaveLength(5);
    expect(list.items.every((i) => i.paths.join() === '$.price')).toBe(true);
    const detail = await h.get<{ differences: { path: string; noise: boolean }[]; secondaryDifferences: { path: string }[]; secondary: { status: number } }>(
      `/api/v1/discrepancies/${list.items[0]?.id}`,
    );
    expect(detail.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '$.price', noise: false }), expect.objectContaining({ path: '$.nonce', noise: true })]),
    );
    expect(detail.secondaryDifferences.map((d) => d.path)).toEqual(['$.nonce']);
    expect(detail.secondary.status).toBe(200);
  });

  it('applies rules from the config file, reports dead rules, and honours explicit routes', async () => {
    const body = (req: { url: string }, v: number) => ({
      order: idOf(req.url),
      generatedAt: `t${++clock}`,
      meta: { timestamp: `ts${clock}`, region: 'eu' },
      lines: v === 1 ? [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] : [{ sku: 'b', qty: 2 }, { sku: 'a', qty: v === 3 ? 5 : 1 }],
      total: v === 1 ? 10.0 : 10.004,
    });
    const primary = await upstream((req, res) => json(res, 200, body(req, 1), { 'x-served-by': 'p1' }));
    const shadow = await upstream((req, res) => json(res, 200, body(req, req.url.endsWith('/3') ? 3 : 2), { 'x-served-by': 's1' }));
    const file = configFile(`
routes:
  - pattern: /users/:userId/orders/:orderId
rules:
  global:
    ignore: ['$..timestamp', '$.neverThere']
    headers: { ignore: [x-served-by] }
  endpoints:
    "GET /users/:userId/orders/:orderId":
      ignore: [$.generatedAt]
      arrays: [{ path: $.lines, mode: keyed, key: sku }]
      tolerance: [{ path: $.total, absolute: 0.01 }]
`);
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url }, {}, { configFile: file });
    for (let i = 1; i <= 4; i++) await request(`${h.ingress}/users/ada/orders/${i}`).then((r) => r.body.dump());
    const s = await h.settled(4);
    // Only order 3 really differs: a quantity inside a reordered line.
    expect(s).toMatchObject({ compared: 4, mismatched: 1 });
    const { endpoints } = await h.get<{ endpoints: EndpointStats[] }>('/api/v1/endpoints');
    const orders = endpoints.find((e) => e.endpoint === 'GET /users/:userId/orders/:orderId');
    expect(orders?.fields.map((f) => [f.path, f.mismatches])).toEqual([['$.lines[*].qty', 1]]);
    const rules = Object.fromEntries((orders?.rules ?? []).map((r) => [r.rule, r.hits]));
    expect(rules['ignore $.neverThere']).toBe(0); // dead: reported, not silent
    expect(rules['ignore $..timestamp']).toBe(4);
    expect(rules['ignore $.generatedAt']).toBe(4);
    expect(rules['header.ignore x-served-by']).toBe(4);
    expect(rules['array $.lines']).toBe(4);
    expect(rules['tolerance $.total']).toBe(4);
    const list = await h.get<{ items: { url: string; paths: string[] }[] }>('/api/v1/discrepancies');
    expect(list.items).toEqual([expect.objectContaining({ url: '/users/ada/orders/3', paths: ['$.lines[0].qty'] })]);
  });

  it('compares numbers past 2^53 exactly and reports repeated keys, with faithful values in the detail', async () => {
    const send = (res: import('node:http').ServerResponse, text: string) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    };
    const primary = await upstream((req, res) =>
      send(res, req.url === '/same' ? '{"id":12345678901234567890123}' : '{"account":9007199254740992,"plan":"pro","big":1e400}'),
    );
    const shadow = await upstream((req, res) =>
      send(res, req.url === '/same' ? '{"id":1.2345678901234567890123e22}' : '{"account":9007199254740993,"plan":"pro","plan":"pro","big":1e400}'),
    );
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url });
    await request(`${h.ingress}/same`).then((r) => r.body.dump());
    await request(`${h.ingress}/accounts`).then((r) => r.body.dump());
    expect(await h.settled(2)).toMatchObject({ compared: 2, matched: 1, mismatched: 1 });
    const list = await h.get<{ items: { id: string; url: string; paths: string[] }[] }>('/api/v1/discrepancies');
    expect(list.items).toEqual([expect.objectContaining({ url: '/accounts' })]);
    const detail = await h.get<{ differences: { path: string; kind: string; primary: unknown; shadow: unknown; risk: string }[] }>(
      `/api/v1/discrepancies/${list.items[0]?.id}`,
    );
    expect(detail.differences.map(({ path, kind, primary: p, shadow: s, risk }) => ({ path, kind, primary: p, shadow: s, risk }))).toEqual([
      { path: '$.account', kind: 'value_changed', primary: 9007199254740992, shadow: '9007199254740993', risk: 'medium' },
      { path: '$.plan', kind: 'duplicate_key', primary: 1, shadow: 2, risk: 'medium' },
    ]);
  });

  it('compares gzip and plain bodies by content, whatever the compression level', async () => {
    const payload = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` })) });
    const primary = await upstream((_req, res) => {
      const gz = gzipSync(payload, { level: 1 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
      res.end(gz);
    });
    const shadow = await upstream((_req, res) => {
      const gz = gzipSync(payload, { level: 9 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
      res.end(gz);
    });
    const h = await harness('embedded', { primary: primary.url, shadow: shadow.url });
    const res = await request(`${h.ingress}/catalog`);
    const raw = Buffer.from(await res.body.arrayBuffer());
    expect(res.headers['content-encoding']).toBe('gzip'); // the client gets the primary's bytes as they are
    expect(raw.equals(gzipSync(payload, { level: 1 }))).toBe(true);
    expect(await h.settled(1)).toMatchObject({ compared: 1, matched: 1 });
  });
});
