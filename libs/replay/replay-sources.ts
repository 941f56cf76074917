/** Where replayed traffic comes from: a captured run in the store, a HAR file, or a GoReplay file. */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Store } from '../store/index.js';
import type { CapturedResponse } from '../exchange/exchange.js';
import { capturedBody, ownedBody } from '../http/body.js';
import { firstHeader, type HeaderMap } from '../http/headers.js';
import { ReplayInputError } from '../errors.js';
import { readGorFile } from './formats/gor.js';
import { parseHar } from './formats/har.js';
import { pickOrigin } from './har-origin.js';
import type { ParseResult, RecordedExchange } from './formats/recorded-exchange.js';

/** `origin`: the HAR origin replayed (see har-origin); by default the one with the most entries. */
export type ReplaySource = { fromRun: string } | { har: string; origin?: string | undefined } | { gor: string };

interface StoredCapture {
  request: { method: string; url: string; headers: HeaderMap; body: string; bodySize: number };
  response: { status: number; headers: HeaderMap; body: string; latencyMs: number } | null;
}

/** Captured exchanges of a run, oldest first, as recorded exchanges. */
export async function capturedExchanges(store: Store, run: string, limit?: number): Promise<RecordedExchange[]> {
  const max = limit ?? Number.MAX_SAFE_INTEGER;
  // Through the (run, received_at) index, in the order they were received.
  const rows = await store.db.all<{ request: string; response: string | null; received_at: unknown }>(
    sql`select request, response, received_at from captures where run = ${run} order by received_at asc, id asc limit ${max}`,
  );
  return rows.map((row, i) => {
    const c = { request: JSON.parse(row.request), response: row.response === null ? null : JSON.parse(row.response) } as StoredCapture;
    const host = firstHeader(c.request.headers, 'host');
    const response: CapturedResponse | null = c.response
      ? { status: c.response.status, headers: c.response.headers, body: ownedBody(Buffer.from(c.response.body, 'base64')), latencyMs: c.response.latencyMs }
      : null;
    return {
      position: i + 1,
      startedAt: Number(row.received_at),
      request: { method: c.request.method, url: c.request.url, headers: c.request.headers, body: capturedBody(Buffer.from(c.request.body, 'base64'), c.request.bodySize) },
      response,
      origin: host ? `http://${host}` : null,
    };
  });
}

/** Loads a source whole; malformed records come back as problems, an unusable file as a ReplayInputError. */
export async function loadSource(source: ReplaySource, store: Store | null, limit?: number): Promise<ParseResult & { origin?: string | null }> {
  if ('fromRun' in source) {
    if (!store) throw new ReplayInputError('--from-run needs --db');
    const exchanges = await capturedExchanges(store, source.fromRun, limit);
    if (exchanges.length === 0) throw new ReplayInputError(`run '${source.fromRun}' has no captured exchanges in the store`);
    return { exchanges, problems: [] };
  }
  let parsed: ParseResult & { origin?: string | null };
  if ('har' in source) {
    let text: string;
    try {
      text = readFileSync(source.har, 'utf8');
    } catch (error) {
      throw new ReplayInputError(`cannot read HAR file ${source.har}: ${(error as Error).message}`);
    }
    parsed = pickOrigin(parseHar(text), source.origin);
  } else {
    try {
      parsed = await readGorFile(source.gor);
    } catch (error) {
      if (error instanceof ReplayInputError) throw error;
      throw new ReplayInputError(`cannot read GoReplay file ${source.gor}: ${(error as Error).message}`);
    }
  }
  return limit === undefined ? parsed : { ...parsed, exchanges: parsed.exchanges.slice(0, limit) };
}
