/**
 * A batch's new exchanges summed in memory per rollup key, so each rollup row is written once per
 * batch whatever the number of exchanges in it. Field counts come from ALL differences (before the
 * evidence's cap), so the noise rule sees what the comparator saw.
 */
import { spanKeys } from '../buckets.js';
import { binOf } from '../latency-bins.js';
import type { Signature } from '../signature.js';
import type { ExchangeOutcome } from './types.js';

export interface RollupCounts {
  compared: number;
  skipped: number;
  shadowErrors: number;
  withSecondary: number;
  differing: number;
  firstAt: number;
  lastAt: number;
}

export interface FieldCounts {
  shadowDiffs: number;
  counting: number;
  secondaryDiffs: number;
}

export interface RuleCounts {
  evaluated: number;
  hits: number;
}

/** A rollup row's key columns: run, span, bucket, endpoint (schema/tables.ts). */
type Prefix = [string, number, number, string];

/** Each map is keyed by the row's key columns; `keyOf` builds them, `sortedRows` orders them. */
export interface Aggregate {
  rollups: Map<string, { key: Prefix; c: RollupCounts }>;
  skips: Map<string, { key: [...Prefix, string]; n: number }>;
  fields: Map<string, { key: [...Prefix, string]; c: FieldCounts }>;
  signatures: Map<string, { key: [...Prefix, string]; n: number }>;
  latency: Map<string, { key: [...Prefix, string, number]; n: number }>;
  /** The latency histogram of the whole run (no endpoint in its key): run, span, bucket, side, bin. */
  runLatency: Map<string, { key: [string, number, number, string, number]; n: number }>;
  rules: Map<string, { key: [...Prefix, string]; c: RuleCounts }>;
}

export const emptyAggregate = (): Aggregate => ({
  rollups: new Map(),
  skips: new Map(),
  fields: new Map(),
  signatures: new Map(),
  latency: new Map(),
  runLatency: new Map(),
  rules: new Map(),
});

const keyOf = (key: readonly (string | number)[]) => JSON.stringify(key);

function bump<K extends readonly (string | number)[]>(map: Map<string, { key: K; n: number }>, key: K, by = 1): void {
  const k = keyOf(key);
  const row = map.get(k);
  if (row) row.n += by;
  else map.set(k, { key, n: by });
}

/** The rollup keys an exchange counts under: its minute, hour, day and the run's total (buckets.ts). */
const prefixes = (o: { run: string; endpoint: string; receivedAt: number }): Prefix[] =>
  spanKeys(o.receivedAt).map(({ span, bucket }) => [o.run, span, bucket, o.endpoint]);

function rollupOf(agg: Aggregate, key: Prefix, at: number): RollupCounts {
  const k = keyOf(key);
  let row = agg.rollups.get(k);
  if (!row) {
    row = { key, c: { compared: 0, skipped: 0, shadowErrors: 0, withSecondary: 0, differing: 0, firstAt: at, lastAt: at } };
    agg.rollups.set(k, row);
  }
  row.c.firstAt = Math.min(row.c.firstAt, at);
  row.c.lastAt = Math.max(row.c.lastAt, at);
  return row.c;
}

/** A skipped exchange (of any reason, comparator_error included). */
export function addSkipped(agg: Aggregate, o: { run: string; endpoint: string; receivedAt: number }, reason: string): void {
  for (const prefix of prefixes(o)) {
    rollupOf(agg, prefix, o.receivedAt).skipped++;
    bump(agg.skips, [...prefix, reason]);
  }
}

function fieldCounts(o: ExchangeOutcome): Map<string, FieldCounts> {
  const perField = new Map<string, FieldCounts>();
  for (const d of o.differences) {
    let c = perField.get(d.field);
    if (!c) perField.set(d.field, (c = { shadowDiffs: 0, counting: 0, secondaryDiffs: 0 }));
    if (d.side === 'shadow') {
      c.shadowDiffs = 1;
      if (!d.cancelled) c.counting = 1;
    } else c.secondaryDiffs = 1;
  }
  return perField;
}

function addFields(agg: Aggregate, perField: ReadonlyMap<string, FieldCounts>, prefix: Prefix): void {
  for (const [field, c] of perField) {
    const key: [...Prefix, string] = [...prefix, field];
    const k = keyOf(key);
    const row = agg.fields.get(k);
    if (!row) agg.fields.set(k, { key, c: { ...c } });
    else {
      row.c.shadowDiffs += c.shadowDiffs;
      row.c.counting += c.counting;
      row.c.secondaryDiffs += c.secondaryDiffs;
    }
  }
}

function addRules(agg: Aggregate, o: ExchangeOutcome, prefix: Prefix): void {
  const hits = new Set(o.rules.hits);
  for (const rule of new Set(o.rules.evaluated)) {
    const key: [...Prefix, string] = [...prefix, rule];
    const k = keyOf(key);
    let row = agg.rules.get(k);
    if (!row) agg.rules.set(k, (row = { key, c: { evaluated: 0, hits: 0 } }));
    row.c.evaluated++;
    if (hits.has(rule)) row.c.hits++;
  }
}

/** A new exchange's outcome (after the run-kind guard); `signature` from all its differences. */
export function addOutcome(agg: Aggregate, o: ExchangeOutcome, signature: Signature | null): void {
  if (o.outcome === 'skipped') return addSkipped(agg, o, o.skipReason ?? 'unknown');
  const perField = fieldCounts(o);
  const primaryBin = binOf(o.primaryLatencyMs);
  const shadowBin = o.shadowLatencyMs === null ? null : binOf(o.shadowLatencyMs);
  for (const prefix of prefixes(o)) {
    const r = rollupOf(agg, prefix, o.receivedAt);
    r.compared++;
    if (o.shadowFailed) r.shadowErrors++;
    if (o.hasSecondary) r.withSecondary++;
    if (signature) {
      r.differing++;
      bump(agg.signatures, [...prefix, signature.hash]);
    }
    addFields(agg, perField, prefix);
    addRules(agg, o, prefix);
    bump(agg.latency, [...prefix, 'primary', primaryBin]);
    if (shadowBin !== null) bump(agg.latency, [...prefix, 'shadow', shadowBin]);
    const [run, span, bucket] = prefix;
    bump(agg.runLatency, [run, span, bucket, 'primary', primaryBin]);
    if (shadowBin !== null) bump(agg.runLatency, [run, span, bucket, 'shadow', shadowBin]);
  }
}

/** Rows in key order: every writer locks rollup rows in the same order (PostgreSQL deadlock safety). */
export function sortedRows<R extends { key: readonly (string | number)[] }>(map: Map<string, R>): R[] {
  return [...map.values()].sort((a, b) => compareKeys(a.key, b.key));
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
