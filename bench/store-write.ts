/**
 * The store's write rate through the comparator's own code: outcomes of 1 KB JSON pairs built by
 * `outcomeOf` (one in ten a mismatch with evidence), written by `recordBatch` in batches of the
 * comparator's size into a temporary SQLite store (or --store-url postgres://…), timed; and the
 * same outcomes written one transaction per job (recordExchange), as the comparator did before.
 *
 *   node --import tsx bench/store-write.ts [--store-write-n 100000] [--store-write-batch 256] [--store-write-captures] [--store-url URL]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { capturedBody, EMPTY_BODY } from '../libs/http/body.js';
import { loadConfig } from '../libs/config/load-config.js';
import { openStore, recordBatch, recordExchange, type ExchangeOutcome, type Store } from '../libs/store/index.js';
import type { Exchange } from '../libs/exchange/exchange.js';
import { comparatorSettings } from '../services/cli/run-services.js';
import { DEFAULT_MAX_BATCH } from '../services/comparator/batch-writer.js';
import { createComparisonContext, outcomeOf } from '../services/comparator/handle-job.js';
import { payloadPairs } from './payloads.js';
import { removeTempDirs, tempDir } from './support/servers.js';

export interface StoreWriteResult {
  store: 'sqlite' | 'postgres';
  outcomes: number;
  batch: number;
  captures: boolean;
  /** Outcomes per second through recordBatch. */
  batched: number;
  /** Outcomes per second, one transaction each (recordExchange). */
  perJob: number;
}

const encoded = (v: unknown) => capturedBody(Buffer.from(JSON.stringify(v)));

/** 50 endpoints, receive times spread over an hour of minute buckets; every tenth pair differs. */
function exchangeOf(i: number, prefix: string, primary: unknown, shadow: unknown, t0: number): Exchange {
  const p = encoded(primary);
  const s = encoded(i % 10 === 0 ? shadow : primary);
  const headers = (size: number) => ({ 'content-type': 'application/json', 'content-length': String(size) });
  return {
    id: `${prefix}-${i}`,
    run: 'live',
    receivedAt: t0 + (i % 3600) * 1000,
    request: { method: 'GET', url: `/service-${i % 50}/catalogue?page=1`, headers: { accept: 'application/json', 'user-agent': 'bench' }, body: EMPTY_BODY },
    primary: { status: 200, headers: headers(p.size), body: p, latencyMs: 1 + (i % 20) / 10 },
    shadow: { status: 200, headers: headers(s.size), body: s, latencyMs: 1.5 + (i % 30) / 10 },
    shadowError: null,
    skipReason: null,
  };
}

async function outcomes(n: number, prefix: string, captures: boolean): Promise<ExchangeOutcome[]> {
  const pair = payloadPairs().find((p) => p.label === '1KB');
  if (!pair) throw new Error('no 1 KB pair');
  const config = loadConfig({ flags: { primary: 'http://127.0.0.1:1', shadow: 'http://127.0.0.1:2', db: ':memory:' }, env: {}, required: [] });
  const ctx = createComparisonContext({ ...comparatorSettings(config), capture: captures });
  const t0 = Date.now() - 3_600_000;
  const out: ExchangeOutcome[] = [];
  for (let i = 0; i < n; i++) out.push(await outcomeOf(exchangeOf(i, prefix, pair.primary, pair.shadow, t0), ctx));
  return out;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

async function openTarget(url: string | undefined, name: string): Promise<Store> {
  return openStore(url ?? join(tempDir(name), 'store.db'));
}

export async function storeWrite(opts: { n: number; batch: number; captures: boolean; url?: string }): Promise<StoreWriteResult> {
  const batched = await openTarget(opts.url, 'store-write');
  let batchedRate: number;
  try {
    const warm = await outcomes(500, 'warm', opts.captures);
    for (let i = 0; i < warm.length; i += opts.batch) await recordBatch(batched, warm.slice(i, i + opts.batch));
    const all = await outcomes(opts.n, 'b', opts.captures);
    const seconds = await timed(async () => {
      for (let i = 0; i < all.length; i += opts.batch) await recordBatch(batched, all.slice(i, i + opts.batch));
    });
    batchedRate = all.length / seconds;
  } finally {
    await batched.close();
  }
  // One transaction per job is slow: a tenth of the outcomes is enough to time it.
  const single = await openTarget(opts.url, 'store-write-single');
  let perJobRate: number;
  try {
    const some = await outcomes(Math.max(1000, Math.round(opts.n / 10)), 's', opts.captures);
    const seconds = await timed(async () => {
      for (const o of some) await recordExchange(single, o);
    });
    perJobRate = some.length / seconds;
  } finally {
    await single.close();
  }
  return { store: opts.url ? 'postgres' : 'sqlite', outcomes: opts.n, batch: opts.batch, captures: opts.captures, batched: batchedRate, perJob: perJobRate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'store-write-n': { type: 'string', default: '100000' },
      'store-write-batch': { type: 'string', default: String(DEFAULT_MAX_BATCH) },
      'store-write-captures': { type: 'boolean', default: false },
      'store-url': { type: 'string' },
    },
  });
  try {
    const r = await storeWrite({
      n: Number(values['store-write-n']),
      batch: Number(values['store-write-batch']),
      captures: values['store-write-captures'] ?? false,
      ...(values['store-url'] ? { url: values['store-url'] } : {}),
    });
    console.log(
      `${r.store}: ${r.outcomes} outcomes (1 KB JSON, 1 in 10 a mismatch, captures ${r.captures ? 'on' : 'off'}), batch ${r.batch}: ` +
        `${Math.round(r.batched)}/s batched, ${Math.round(r.perJob)}/s one transaction per job (${(r.batched / r.perJob).toFixed(1)}×)`,
    );
  } finally {
    removeTempDirs();
  }
}
