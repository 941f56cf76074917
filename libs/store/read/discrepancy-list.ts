/**
 * The discrepancy list: a keyset page over (run[, endpoint], received_at, id), newest first, filtered
 * on the server by endpoint, field, risk and window. A discrepancy whose signature is all noise in the
 * window is not one any more; its risk is the signature's after noise.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DiscrepancyListItem } from '../../api/report-schemas.js';
import type { Risk } from '../../compare/difference.js';
import { num } from '../db.js';
import type { Store } from '../open-store.js';
import { effectiveRisk } from '../signature.js';
import { windowNoise } from './noise-fields.js';
import { signatureCounts, type SignatureCount } from './signatures.js';
import type { ReportOptions } from './types.js';
import { inWindow } from './window.js';

export type { DiscrepancyListItem } from '../../api/report-schemas.js';

/** Keyset position: the last item's receive time and id. New discrepancies never shift a page. */
export interface DiscrepancyCursor {
  receivedAt: number;
  id: string;
}

export function encodeCursor(c: DiscrepancyCursor): string {
  return Buffer.from(JSON.stringify([c.receivedAt, c.id])).toString('base64url');
}

export function decodeCursor(raw: string): DiscrepancyCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return { receivedAt: v[0] as number, id: v[1] };
  } catch {
    // fall through
  }
  return null;
}

export interface DiscrepancyQuery {
  endpoint?: string | undefined;
  /** Only discrepancies with a counting shadow difference at this field, e.g. `$.price`. */
  field?: string | undefined;
  /** Only discrepancies whose risk after noise is this one. */
  risk?: Risk | undefined;
  limit: number;
  cursor?: DiscrepancyCursor | null | undefined;
}

const pairKey = (endpoint: string, signature: string) => `${endpoint}\u0000${signature}`;

/**
 * The (endpoint, signature) pairs of the window with their risk after noise (null: all noise), and the
 * SQL that keeps only the pairs that pass. Pairs are few (distinct signatures), so the list is short.
 * The field filter is one of them too: a signature is the set of fields whose shadow difference
 * counted (signature.ts), exactly what the filter asks, so no join with the differences is needed
 * (and fields past the evidence's cap are found as well).
 */
async function signatureFilter(store: Store, run: string, q: DiscrepancyQuery, opts: ReportOptions) {
  const [{ noise }, counts] = await Promise.all([
    windowNoise(store.db, run, { ...opts, endpoint: q.endpoint }),
    signatureCounts(store.db, run, opts.window, q.endpoint),
  ]);
  const risks = new Map<string, Risk | null>();
  for (const c of counts) risks.set(pairKey(c.endpoint, c.signature), effectiveRisk(c.fields, noise.get(c.endpoint) ?? new Set()));
  const passes = (c: SignatureCount, r: Risk | null) =>
    r !== null && (q.risk === undefined || r === q.risk) && (q.field === undefined || c.fields.some(([f]) => f === q.field));
  // Without a filter, drop only the all-noise pairs; with one, keep only the pairs that pass it.
  const keep = q.risk !== undefined || q.field !== undefined;
  const listed = new Map<string, string[]>();
  for (const c of counts) {
    if (passes(c, risks.get(pairKey(c.endpoint, c.signature)) ?? null) !== keep) continue;
    listed.set(c.endpoint, [...(listed.get(c.endpoint) ?? []), c.signature]);
  }
  const pairs = [...listed].map(([endpoint, sigs]) => sql`(endpoint = ${endpoint} and signature in (${sql.join(sigs.map((s) => sql`${s}`), sql`, `)}))`);
  let condition: SQL = sql``;
  if (keep) condition = pairs.length === 0 ? sql` and 1 = 0` : sql` and (${sql.join(pairs, sql` or `)})`;
  else if (pairs.length > 0) condition = sql` and not (${sql.join(pairs, sql` or `)})`;
  return { risks, condition };
}

export async function listDiscrepancies(
  store: Store,
  run: string,
  q: DiscrepancyQuery,
  opts: ReportOptions = {},
): Promise<{ items: DiscrepancyListItem[]; nextCursor: string | null }> {
  const { risks, condition } = await signatureFilter(store, run, q, opts);
  const endpoint = q.endpoint === undefined ? sql`` : sql` and endpoint = ${q.endpoint}`;
  const cursor = q.cursor ? sql` and (received_at < ${q.cursor.receivedAt} or (received_at = ${q.cursor.receivedAt} and id < ${q.cursor.id}))` : sql``;
  const rows = await store.db.all<Record<string, unknown>>(sql`
    select id, run, endpoint, method, url, primary_status, shadow_status, paths, risk, signature, received_at, created_at
    from discrepancies
    where run = ${run}${endpoint}${inWindow(sql`received_at`, opts.window)}${cursor}${condition}
    order by received_at desc, id desc limit ${q.limit + 1}`);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: String(r.id),
      run: String(r.run),
      endpoint: String(r.endpoint),
      method: String(r.method),
      url: String(r.url),
      primaryStatus: num(r.primary_status),
      shadowStatus: r.shadow_status === null ? null : num(r.shadow_status),
      paths: JSON.parse(String(r.paths)) as string[],
      risk: risks.get(pairKey(String(r.endpoint), String(r.signature))) ?? (String(r.risk) as Risk),
      createdAt: new Date(num(r.created_at)).toISOString(),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ receivedAt: num(last.received_at), id: String(last.id) }) : null,
  };
}
