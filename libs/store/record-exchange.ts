/**
 * Writes what the comparator decided about one exchange, all in one transaction: the outcome row,
 * and for a mismatch the evidence and its differences. The exchange id is the primary key, so a
 * redelivered job writes nothing and counts nothing a second time.
 */
import type { RecordDropsPayload } from '../queue/contracts.js';
import type { Difference, Risk } from '../types/difference.js';
import type { Store } from './open-store.js';
import { differences, discrepancies, drops, exchanges } from './schema/index.js';

export interface StoredBody {
  /** Text, or base64 when bodyEncoding is 'base64'. */
  body: string | null;
  bodyEncoding: 'utf8' | 'base64';
  bodySize: number;
  bodyTruncated: boolean;
}

export interface DiscrepancyEvidence {
  request: { method: string; url: string; headers: Record<string, string | string[]> } & StoredBody;
  primary: { status: number; headers: Record<string, string | string[]>; latencyMs: number } & StoredBody;
  shadow: { status: number | null; headers: Record<string, string | string[]>; latencyMs: number | null; error: string | null } & StoredBody;
  differences: Difference[];
  risk: Risk;
}

export interface ExchangeOutcome {
  id: string;
  run: string;
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
  receivedAt: number;
  comparedAt: number;
  /** Present for a mismatch. */
  evidence?: DiscrepancyEvidence;
}

/** Longest JSON text kept for one difference's value. */
const MAX_VALUE_CHARS = 4096;

function encodeValue(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value) ?? null;
  if (json === null || json.length <= MAX_VALUE_CHARS) return json;
  return JSON.stringify(`${json.slice(0, MAX_VALUE_CHARS)}… (truncated)`);
}

/** Returns false when the exchange was already recorded (a redelivery). */
export function recordExchange(store: Store, o: ExchangeOutcome): boolean {
  return store.db.transaction((tx) => {
    const { evidence, ...row } = o;
    const inserted = tx.insert(exchanges).values(row).onConflictDoNothing().run();
    if (inserted.changes === 0) return false;
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
          shadow: evidence.shadow,
          paths: evidence.differences.map((d) => d.path),
          risk: evidence.risk,
          createdAt: o.comparedAt,
        })
        .run();
      if (evidence.differences.length > 0) {
        tx.insert(differences)
          .values(
            evidence.differences.map((d, seq) => ({
              discrepancyId: o.id,
              seq,
              run: o.run,
              endpoint: o.endpoint,
              path: d.path,
              field: d.field,
              kind: d.kind,
              risk: d.risk,
              primaryValue: encodeValue(d.primary),
              shadowValue: encodeValue(d.shadow),
            })),
          )
          .run();
      }
    }
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
