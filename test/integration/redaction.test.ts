/**
 * Every redaction path, end to end through real processes: form, text/plain and untyped JSON,
 * multipart fields and query parameters never reach the SQLite file, the API, the HAR export,
 * Redis or the logs; a redacted difference still shows as a difference.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { inject, describe, expect, it } from 'vitest';
import { withoutBodies } from '../../libs/queue/retained-job.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { spawnCli } from '../support/cli-process.js';
import { json } from '../support/upstream.js';
import { useScope } from '../support/scope.js';
import { randomPrefix, tempDb } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const scope = useScope();
const SECRETS = ['formsecret1', 'textsecret2', 'untypedsecret3', 'multisecret4', 'querysecret5', 'respsecret6', 'shadowsecret7', 'textrespsecret8', 'untypedrespsecret9'];
const SECRET = new RegExp(SECRETS.join('|'));

function multipart(boundary: string, fields: Record<string, string>): string {
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return `${parts.join('')}--${boundary}--\r\n`;
}

async function send(ingress: string): Promise<number> {
  const posts: [string, Record<string, string>, string][] = [
    ['/login', { 'content-type': 'application/x-www-form-urlencoded' }, 'user=ada&password=formsecret1'],
    ['/text', { 'content-type': 'text/plain' }, '{"user":"ada","password":"textsecret2"}'],
    ['/untyped', {}, '{"nested":{"password":"untypedsecret3"}}'],
    ['/upload', { 'content-type': 'multipart/form-data; boundary=b0und' }, multipart('b0und', { user: 'ada', password: 'multisecret4' })],
  ];
  for (const [path, headers, body] of posts) {
    await (await request(`${ingress}${path}`, { method: 'POST', headers, body })).body.dump();
  }
  await (await request(`${ingress}/cb?access_token=querysecret5&page=1`)).body.dump();
  // Responses that are JSON sent as text/plain or with no content type: their differences are texts.
  await (await request(`${ingress}/text-response`)).body.dump();
  await (await request(`${ingress}/untyped-response`)).body.dump();
  return posts.length + 3;
}

describe('redaction end to end', () => {
  it('keeps no secret in the store, the API, the HAR export, Redis or the logs', async () => {
    const answer = (version: number, password: string) => (req: { url: string }, res: import('node:http').ServerResponse) => {
      const path = req.url.split('?')[0];
      // JSON as text: the secret differs between the sides (and so does `v`), so the text difference holds both.
      if (path === '/text-response') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`{"password":"textrespsecret8-${version}","v":${version}}`);
      if (path === '/untyped-response') return void res.writeHead(200).end(`{"a":{"password":"untypedrespsecret9-${version}"},"v":${version}}`);
      json(res, 200, { path, password, v: version });
    };
    const primary = await scope.upstream(answer(1, 'respsecret6'));
    const shadow = await scope.upstream(answer(2, 'shadowsecret7'));
    const db = tempDb();
    const prefix = randomPrefix();
    const redisUrl = inject('redisUrl');
    const all = spawnCli(
      ['start', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', '--report-listen', '127.0.0.1:0', '--db', db, '--log-level', 'debug'],
      { SHADOW_DIFF_REDIS: redisUrl, SHADOW_DIFF_QUEUE_PREFIX: prefix, SHADOW_DIFF_MIRROR_METHODS: 'GET,POST', SHADOW_DIFF_REDACT_JSON_PATHS: '$..password' },
    );
    scope.defer(async () => {
      all.kill('SIGTERM');
      await all.exited();
    });
    const bound = await all.ready();
    const [port, reportPort] = [bound.port('ingress'), bound.port('report')];
    const report = `http://127.0.0.1:${reportPort}`;
    const n = await send(`http://127.0.0.1:${port}`);
    const getJson = async (path: string) => (await request(report + path)).body.json() as Promise<Record<string, unknown>>;
    await waitFor(() => getJson('/api/v1/summary'), (s) => s.compared === n, 15_000, `${n} compared`);

    // The API: the list and every discrepancy's detail; the password differs, so it shows as hashes that differ.
    const list = (await getJson('/api/v1/discrepancies?limit=50')) as { items: { id: string }[] };
    expect(list.items).toHaveLength(n);
    const details = await Promise.all(list.items.map((i) => getJson(`/api/v1/discrepancies/${i.id}`)));
    const api = JSON.stringify([list, details]);
    expect(api).not.toMatch(SECRET);
    type Detail = { differences: { path: string; kind: string; primary: string; shadow: string; detail?: string }[] };
    const differences = (details as unknown as Detail[]).flatMap((d) => d.differences);
    const pw = differences.find((d) => d.path === '$.password');
    expect(pw?.primary).toMatch(/^"?\[REDACTED:[0-9a-f]{12}\]"?$/);
    expect(pw?.shadow).not.toBe(pw?.primary);
    // A JSON text compared as text keeps its differing secret hashed, and no line diff repeats it.
    const texts = differences.filter((d) => d.kind === 'text_differs');
    expect(texts).toHaveLength(2);
    for (const t of texts) {
      expect(t.primary).toMatch(/\[REDACTED:[0-9a-f]{12}\]/);
      expect(t.shadow).not.toBe(t.primary);
      expect(t.detail).toBeUndefined();
    }

    // The HAR export of the captured run.
    const har = join(mkdtempSync(join(tmpdir(), 'sd-redact-')), 'live.har');
    const exp = cliInProcess(['export', '--db', db, '--run', 'live', '--har', har]);
    expect(await exp.exited()).toBe(0);
    const harText = readFileSync(har, 'utf8');
    expect(JSON.parse(harText).log.entries).toHaveLength(n);
    expect(harText).not.toMatch(SECRET);

    // Redis: no job the comparator is done with keeps a body.
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      let dump = '';
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
        else if (type === 'string') dump += await redis.get(key);
        else if (type === 'list') dump += JSON.stringify(await redis.lrange(key, 0, -1));
        else if (type === 'zset') dump += JSON.stringify(await redis.zrange(key, 0, -1));
        else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'));
      }
      expect(dump).not.toMatch(SECRET);
    } finally {
      redis.disconnect();
    }

    all.kill('SIGTERM');
    expect(await all.exited()).toBe(0);
    // The store, with its WAL, once the process has let go of it; and the logs at debug level.
    const files = [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f));
    for (const f of files) expect(readFileSync(f).toString('latin1')).not.toMatch(SECRET);
    expect(all.output()).not.toMatch(SECRET);
  }, 60_000);

  it('keeps a job that failed for good without its bodies or query string', () => {
    const data = { v: 1, exchange: { request: { url: '/cb?access_token=querysecret5', body: { base64: 'c2VjcmV0', size: 6, truncated: false } }, primary: { body: { base64: 'eA==', size: 1, truncated: false } } } };
    const kept = withoutBodies(data) as typeof data;
    expect(kept.exchange.request.url).toBe('/cb');
    expect(kept.exchange.request.body).toEqual({ base64: '', size: 6, truncated: false });
    expect(kept.exchange.primary.body.base64).toBe('');
    expect(data.exchange.request.body.base64).toBe('c2VjcmV0');
  });
});
