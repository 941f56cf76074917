/**
 * Writes what the comparator decided about one exchange, all in one transaction: the outcome row,
 * its differences (against the shadow and the secondary), the rule hits, and for a mismatch the
 * evidence. The exchange id is the primary key, so a redelivered job writes and counts nothing twice.
 */
import { and, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { RecordDropsPayload } from '../queue/contracts.js';
import type { Difference, Risk } from '../types/difference.js';
import type { Store } from './open-store.js';
import { guardRunKind, LIVE_SOURCE } from './run-claims.js';
import { capDifferences } from './cap-differences.js';
import { captures, differences, discrepancies, drops, exchanges, ruleHits, runs } from './schema/index.js';

export interface StoredBody {
  /** Text, or base64 when bodyEncoding is 'base64'. */
  body: string | null;
  bodyEncoding: 'utf8' | 'base64';
  bodySize: number;
  bodyTruncated: boolean;
}

type Headers = Record<string, string | string[]>;

export interface StoredResponse extends StoredBody {
  status: number | null;
  headers: Headers;
  latencyMs: number | null;
  error: string | null;
}

export interface DiscrepancyEvidence {
  request: { method: string; url: string; headers: Headers } & StoredBody;
  primary: { status: number; headers: Headers; latencyMs: number } & StoredBody;
  shadow: StoredResponse;
  /** The secondary's response when there was one. */
  secondary: StoredResponse | null;
  risk: Risk;
}

export interface StoredDifference extends Difference {
  side: 'shadow' | 'secondary';
  /** A shadow difference the secondary showed too on this request: noise, not a mismatch. */
  cancelled: boolean;
}

export interface ExchangeOutcome {
  id: string;
  run: string;
  runKind: 'live' | 'replay';
  endpoint: string;
  method: string;
  url: string;
  outcome: 'match' | 'mismatch' | 'skipped';
  skipReason: string | null;
  shadowFailed: boolean;
  primaryStatus: number;
  shadowStatus: number | null;
  primaryLatencyMs: number;
  shadowLatencyMs: number | null;
  risk: Risk | null;
  hasSecondary: boolean;
  secondaryStatus: number | null;
  receivedAt: number;
  comparedAt: number;
  differences: StoredDifference[];
  /** Rules that applied to this comparison, and those that changed its result. */
  rules: { evaluated: readonly string[]; hits: readonly string[] };
  /** Present for a mismatch. */
  evidence?: DiscrepancyEvidence;
  /** Present when the exchange is kept for replay (already redacted). */
  capture?: CaptureRecord;
}

export interface CaptureRecord {
  request: { method: string; url: string; headers: Headers; body: string; bodySize: number };
  /** Null when the primary's body was not kept whole: usable only against a live baseline. */
  response: { status: number; headers: Headers; body: string; latencyMs: number } | null;
}

/** Longest JSON text kept for one difference's value. */
const MAX_VALUE_CHARS = 4096;

function encodeValue(value: unknown): string | null {
  if (value === undefined) return null;
  let json: string | null;
  try {
    json = JSON.stringify(value) ?? null;
  } catch {
    json = JSON.stringify('(value too deep to store)');
  }
  if (json === null || json.length <= MAX_VALUE_CHARS) return json;
  return JSON.stringify(`${json.slice(0, MAX_VALUE_CHARS)}… (truncated)`);
}

/**
 * Rows per multi-row insert: SQLite binds at most 32,766 variables per statement and drizzle builds
 * each statement recursively, so a long list goes in slices whatever its length.
 */
const ROWS_PER_INSERT = 200;

function* slices<T>(rows: readonly T[], size = ROWS_PER_INSERT): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** Returns false when the exchange was already recorded (a redelivery). */
export function recordExchange(store: Store, outcome: ExchangeOutcome): boolean {
  return store.db.transaction((tx) => {
    // A run holds one kind of exchange (run-claims.ts).
    const o = guardRunKind(store, outcome);
    const { evidence, differences: found, rules, runKind, capture: _capture, ...row } = o;
    const inserted = tx.insert(exchanges).values(row).onConflictDoNothing().run();
    if (inserted.changes === 0) return false;
    const { kept: diffs, totals, truncated } = capDifferences(found);
    tx.insert(runs).values({ name: o.run, kind: runKind, source: runKind === 'live' ? LIVE_SOURCE : null, createdAt: o.comparedAt }).onConflictDoNothing().run();
    if (o.capture) {
      tx.insert(captures)
        .values({ id: o.id, run: o.run, endpoint: o.endpoint, receivedAt: o.receivedAt, request: o.capture.request, response: o.capture.response })
        .onConflictDoNothing()
        .run();
    }
    const diffRows = diffs.map((d, seq) => ({
      exchangeId: o.id,
      seq,
      side: d.side,
      cancelled: d.cancelled,
      run: o.run,
      endpoint: o.endpoint,
      path: d.path,
      field: d.field,
      kind: d.kind,
      risk: d.risk,
      primaryValue: encodeValue(d.primary),
      otherValue: encodeValue(d.shadow),
      detail: d.detail ?? null,
      receivedAt: o.receivedAt,
    }));
    for (const slice of slices(diffRows)) tx.insert(differences).values(slice).run();
    const hit = new Set(rules.hits);
    const ruleRows = rules.evaluated.map((rule) => ({ run: o.run, endpoint: o.endpoint, rule, evaluated: 1, hits: hit.has(rule) ? 1 : 0 }));
    for (const slice of slices(ruleRows)) {
      tx.insert(ruleHits)
        .values(slice)
        .onConflictDoUpdate({
          target: [ruleHits.run, ruleHits.endpoint, ruleHits.rule],
          set: { evaluated: sql`${ruleHits.evaluated} + 1`, hits: sql`${ruleHits.hits} + excluded.hits` },
        })
        .run();
    }
    if (o.outcome === 'mismatch' && evidence) {
      tx.insert(discrepancies)
        .values({
          id: o.id,
          run: o.run,
          endpoint: o.endpoint,
          method: o.method,
          url: o.url,
          primaryStatus: o.primaryStatus,
          shadowStatus: o.shadowStatus,
          request: evidence.request,
          primary: evidence.primary,
          shadow: { ...evidence.shadow, secondary: evidence.secondary },
          paths: diffs.filter((d) => d.side === 'shadow' && !d.cancelled).map((d) => d.path),
          risk: evidence.risk,
          ...(truncated ? { differencesTotal: totals.shadow, secondaryDifferencesTotal: totals.secondary } : {}),
          createdAt: o.comparedAt,
          receivedAt: o.receivedAt,
        })
        .run();
    }
    return true;
  });
}

/** What is known of a pair the comparator could not handle: enough to count it. */
export interface FailedExchange {
  id: string;
  run: string;
  runKind: 'live' | 'replay';
  endpoint: string;
  method: string;
  url: string;
  primaryStatus: number;
  receivedAt: number;
}

/**
 * The last resort when a pair's outcome cannot be computed or stored: one skipped row
 * (`comparator_error`) and nothing else, so the pair is still counted. Returns false when the
 * exchange was already recorded.
 */
export function recordFailedExchange(store: Store, f: FailedExchange, now = Date.now()): boolean {
  return store.db.transaction((tx) => {
    const { runKind, ...row } = f;
    const inserted = tx
      .insert(exchanges)
      .values({ ...row, outcome: 'skipped', skipReason: 'comparator_error', primaryLatencyMs: 0, comparedAt: now })
      .onConflictDoNothing()
      .run();
    if (inserted.changes === 0) return false;
    tx.insert(runs).values({ name: f.run, kind: runKind, createdAt: now }).onConflictDoNothing().run();
    return true;
  });
}

/** Returns false when this report was already counted. */
export function recordDrops(store: Store, report: RecordDropsPayload, now = Date.now()): boolean {
  const rows = Object.entries(report.counts)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([reason, count]) => ({ reportId: report.reportId, run: report.run, reason, count: count as number, reportedAt: now }));
  if (rows.length === 0) return false;
  return store.db.transaction((tx) => tx.insert(drops).values(rows).onConflictDoNothing().run().changes > 0);
}

/**
 * Retention: the evidence of discrepancies compared before `cutoff` (epoch ms) is deleted, and
 * their differences keep only path, kind and risk. Counts, rates and field statistics stay.
 */
export function purgeDetails(store: Store, cutoff: number): { discrepancies: number } {
  return store.db.transaction((tx) => {
    const removed = tx.delete(discrepancies).where(lt(discrepancies.createdAt, cutoff)).run().changes;
    tx.update(differences)
      .set({ primaryValue: null, otherValue: null, detail: null })
      .where(and(lt(differences.receivedAt, cutoff), or(isNotNull(differences.primaryValue), isNotNull(differences.otherValue), isNotNull(differences.detail))))
      .run();
    return { discrepancies: removed };
  });
}

/** Capture retention: at most `max` captures, none older than `maxAgeMs`; the oldest go first. */
export function trimCaptures(store: Store, max: number, maxAgeMs?: number, now = Date.now()): number {
  return store.db.transaction((tx) => {
    let removed = 0;
    if (maxAgeMs !== undefined) removed += tx.delete(captures).where(lt(captures.receivedAt, now - maxAgeMs)).run().changes;
    const count = tx.select({ n: sql<number>`count(*)` }).from(captures).get()?.n ?? 0;
    if (count > max) {
      removed += store.sqlite
        .prepare('delete from captures where id in (select id from captures order by received_at asc, id asc limit ?)')
        .run(count - max).changes;
    }
    return removed;
  });
}
