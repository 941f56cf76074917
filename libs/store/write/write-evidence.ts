/**
 * The rows with evidence: a discrepancy (an exchange whose signature is not null) with its capped
 * differences, the signatures it refers to, and captures kept for replay. JSON goes in as text.
 */
import type { Db } from '../db.js';
import { capDifferences } from '../cap-differences.js';
import { RISK_OF_RANK, type Signature } from '../signature.js';
import type { DiscrepancyEvidence, ExchangeOutcome } from './types.js';

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

async function insertRows(db: Db, head: string, rows: readonly (readonly unknown[])[], tail = ''): Promise<void> {
  await db.insertMany(head, rows[0]?.length ?? 1, rows, tail);
}

/** An outcome built without evidence (tests, old payloads) still gets a row the list can show. */
function evidenceOf(o: ExchangeOutcome, signature: Signature): DiscrepancyEvidence {
  if (o.evidence) return o.evidence;
  const none = { body: null, bodyEncoding: 'utf8' as const, bodySize: 0, bodyTruncated: false };
  const topRank = Math.max(...signature.fields.map(([, r]) => r));
  return {
    request: { method: o.method, url: o.url, headers: {}, ...none },
    primary: { status: o.primaryStatus, headers: {}, latencyMs: o.primaryLatencyMs, ...none },
    shadow: { status: o.shadowStatus, headers: {}, latencyMs: o.shadowLatencyMs, error: null, ...none },
    secondary: null,
    risk: o.risk ?? RISK_OF_RANK[topRank] ?? 'high',
  };
}

export async function writeSignatures(db: Db, signatures: readonly Signature[]): Promise<void> {
  const rows = [...signatures].sort((a, b) => (a.hash < b.hash ? -1 : 1)).map((s) => [s.hash, JSON.stringify(s.fields)]);
  await insertRows(db, 'insert into signatures (hash, fields)', rows, 'on conflict (hash) do nothing');
}

export async function writeDiscrepancies(db: Db, found: readonly { o: ExchangeOutcome; signature: Signature }[]): Promise<void> {
  const discrepancyRows: unknown[][] = [];
  const differenceRows: unknown[][] = [];
  for (const { o, signature } of found) {
    const evidence = evidenceOf(o, signature);
    const { kept, totals } = capDifferences(o.differences);
    const paths = kept.filter((d) => d.side === 'shadow' && !d.cancelled).map((d) => d.path);
    discrepancyRows.push([
      o.id,
      o.run,
      o.endpoint,
      o.method,
      o.url,
      o.primaryStatus,
      o.shadowStatus,
      JSON.stringify(evidence.request),
      JSON.stringify(evidence.primary),
      JSON.stringify({ ...evidence.shadow, secondary: evidence.secondary }),
      JSON.stringify(paths),
      evidence.risk,
      signature.hash,
      o.receivedAt,
      o.comparedAt,
      totals.shadow,
      totals.secondary,
    ]);
    kept.forEach((d, seq) =>
      differenceRows.push([o.id, seq, d.side, d.cancelled ? 1 : 0, d.path, d.field, d.kind, d.risk, encodeValue(d.primary), encodeValue(d.shadow), d.detail ?? null]),
    );
  }
  await insertRows(
    db,
    `insert into discrepancies (id, run, endpoint, method, url, primary_status, shadow_status, request, "primary", shadow, paths, risk, signature,
      received_at, created_at, differences_total, secondary_differences_total)`,
    discrepancyRows,
    'on conflict (id) do nothing',
  );
  await insertRows(
    db,
    'insert into differences (exchange_id, seq, side, cancelled, path, field, kind, risk, primary_value, other_value, detail)',
    differenceRows,
    'on conflict (exchange_id, seq) do nothing',
  );
}

export async function writeCaptures(db: Db, outcomes: readonly ExchangeOutcome[]): Promise<void> {
  const rows = outcomes.flatMap((o) =>
    o.capture ? [[o.id, o.run, o.endpoint, o.receivedAt, JSON.stringify(o.capture.request), o.capture.response ? JSON.stringify(o.capture.response) : null]] : [],
  );
  await insertRows(db, 'insert into captures (id, run, endpoint, received_at, request, response)', rows, 'on conflict (id) do nothing');
}
