/**
 * The comparator's write: a batch of outcomes in one transaction. The exchange id is the key of
 * idempotence: ids go into exchange_ids first (`ON CONFLICT DO NOTHING RETURNING id`) and only the
 * ids inserted now count, so a redelivered job (in a later batch or twice in one) counts once.
 * Counts are summed in memory and each rollup row is upserted once per batch, in key order.
 */
import { sql } from 'drizzle-orm';
import { valuesList, type Db } from '../db.js';
import type { Store } from '../open-store.js';
import { guardRunKind, LIVE_SOURCE } from '../run-claims.js';
import { signatureOf, type Signature } from '../signature.js';
import type { RunKind } from '../../exchange/exchange.js';
import { addOutcome, emptyAggregate } from './aggregate.js';
import type { ExchangeOutcome } from './types.js';
import { writeCaptures, writeDiscrepancies, writeSignatures } from './write-evidence.js';
import { writeRollups } from './write-rollups.js';

/** What a store's writers remember between batches: a run's kind and a stored signature never change. */
interface Known {
  runKinds: Map<string, RunKind>;
  signatures: Set<string>;
}
const knownOf = new WeakMap<Store, Known>();

function known(store: Store): Known {
  let k = knownOf.get(store);
  if (!k) knownOf.set(store, (k = { runKinds: new Map(), signatures: new Set() }));
  return k;
}

const inList = (values: readonly unknown[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);

/** Inserts the ids; resolves to those that were not there before. */
export async function insertIds(db: Db, ids: readonly string[], now: number): Promise<Set<string>> {
  const rows = [...new Set(ids)].sort().map((id) => [id, now] as const);
  const inserted = await db.insertMany<{ id: string }>('insert into exchange_ids (id, seen_at)', 2, rows, 'on conflict (id) do nothing returning id');
  return new Set(inserted.map((r) => r.id));
}

/** Kinds of the batch's runs: remembered, read, or created on first sight with the first exchange's kind. */
async function runKinds(db: Db, remembered: ReadonlyMap<string, RunKind>, outcomes: readonly ExchangeOutcome[]): Promise<Map<string, RunKind>> {
  const kinds = new Map<string, RunKind>();
  const firstOf = new Map<string, ExchangeOutcome>();
  for (const o of outcomes) {
    const kind = remembered.get(o.run);
    if (kind) kinds.set(o.run, kind);
    else if (!firstOf.has(o.run)) firstOf.set(o.run, o);
  }
  if (firstOf.size === 0) return kinds;
  const names = [...firstOf.keys()].sort();
  const created = names.map((name) => {
    const o = firstOf.get(name) as ExchangeOutcome;
    return [name, o.runKind, o.runKind === 'live' ? LIVE_SOURCE : null, o.comparedAt];
  });
  await db.run(sql`insert into runs (name, kind, source, created_at) values ${valuesList(created)} on conflict (name) do nothing`);
  for (const r of await db.all<{ name: string; kind: RunKind }>(sql`select name, kind from runs where name in (${inList(names)})`)) kinds.set(r.name, r.kind);
  return kinds;
}

interface Written {
  fresh: Set<string>;
  runKinds: Map<string, RunKind>;
  signatures: Signature[];
}

async function writeBatch(tx: Db, k: Known, outcomes: readonly ExchangeOutcome[], now: number): Promise<Written> {
  const fresh = await insertIds(tx, outcomes.map((o) => o.id), now);
  const counted: ExchangeOutcome[] = [];
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (fresh.has(o.id) && !seen.has(o.id)) counted.push(o);
    seen.add(o.id);
  }
  const kinds = await runKinds(tx, k.runKinds, counted);
  const agg = emptyAggregate();
  const found: { o: ExchangeOutcome; signature: Signature }[] = [];
  const captured: ExchangeOutcome[] = [];
  for (const raw of counted) {
    const o = guardRunKind(raw, kinds.get(raw.run));
    const signature = o.outcome === 'skipped' ? null : signatureOf(o.differences);
    addOutcome(agg, o, signature);
    if (signature) found.push({ o, signature });
    if (o.capture) captured.push(o);
  }
  await writeRollups(tx, agg);
  const signatures = [...new Map(found.map(({ signature: s }) => [s.hash, s])).values()];
  await writeSignatures(tx, signatures.filter((s) => !k.signatures.has(s.hash)));
  await writeDiscrepancies(tx, found);
  await writeCaptures(tx, captured);
  return { fresh, runKinds: kinds, signatures };
}

/**
 * Records a batch of outcomes in one transaction; resolves, per outcome, to true when its exchange
 * was new (false for a redelivery, or the second copy of an id within the batch).
 */
export async function recordBatch(store: Store, outcomes: readonly ExchangeOutcome[], now = Date.now()): Promise<boolean[]> {
  if (outcomes.length === 0) return [];
  const k = known(store);
  const written = await store.db.transaction((tx) => writeBatch(tx, k, outcomes, now));
  // Remembered only once committed: a rolled-back batch must not hide a row that is not there.
  for (const [run, kind] of written.runKinds) k.runKinds.set(run, kind);
  for (const s of written.signatures) k.signatures.add(s.hash);
  const first = new Set<string>();
  return outcomes.map((o) => {
    const isNew = written.fresh.has(o.id) && !first.has(o.id);
    first.add(o.id);
    return isNew;
  });
}

/** One outcome: resolves to false when the exchange was already recorded (a redelivery). */
export async function recordExchange(store: Store, outcome: ExchangeOutcome, now = Date.now()): Promise<boolean> {
  const [recorded] = await recordBatch(store, [outcome], now);
  return recorded ?? false;
}
