/** Read side of the store: everything the report API shows is derived here from the outcome rows. */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Store } from './open-store.js';
import type { DiscrepancyEvidence } from './record-exchange.js';
import { differences, discrepancies, drops, exchanges } from './schema/index.js';

export interface RunSummary {
  run: string;
  compared: number;
  matched: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  shadowErrors: number;
  dropped: number;
}

export interface EndpointStats {
  endpoint: string;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  fields: { path: string; mismatches: number }[];
}

export interface DiscrepancyListItem {
  id: string;
  run: string;
  endpoint: string;
  method: string;
  url: string;
  primaryStatus: number;
  shadowStatus: number | null;
  paths: string[];
  createdAt: string;
}

export interface DiscrepancyDetail {
  id: string;
  run: string;
  endpoint: string;
  risk: string;
  createdAt: string;
  request: DiscrepancyEvidence['request'];
  primary: DiscrepancyEvidence['primary'];
  shadow: DiscrepancyEvidence['shadow'];
  differences: { path: string; field: string; kind: string; risk: string; primary: unknown; shadow: unknown }[];
}

export const rate = (mismatched: number, compared: number): number => (compared === 0 ? 0 : mismatched / compared);

export function summary(store: Store, run: string): RunSummary {
  const rows = store.db
    .select({
      outcome: exchanges.outcome,
      n: sql<number>`count(*)`,
      shadowFailed: sql<number>`coalesce(sum(${exchanges.shadowFailed}), 0)`,
    })
    .from(exchanges)
    .where(eq(exchanges.run, run))
    .groupBy(exchanges.outcome)
    .all();
  const count = (o: string) => rows.find((r) => r.outcome === o)?.n ?? 0;
  const matched = count('match');
  const mismatched = count('mismatch');
  const compared = matched + mismatched;
  const shadowErrors = rows.filter((r) => r.outcome !== 'skipped').reduce((a, r) => a + r.shadowFailed, 0);
  const dropped =
    store.db
      .select({ n: sql<number>`coalesce(sum(${drops.count}), 0)` })
      .from(drops)
      .where(eq(drops.run, run))
      .get()?.n ?? 0;
  return { run, compared, matched, mismatched, mismatchRate: rate(mismatched, compared), skipped: count('skipped'), shadowErrors, dropped };
}

export function endpointStats(store: Store, run: string): EndpointStats[] {
  const counts = store.db
    .select({
      endpoint: exchanges.endpoint,
      compared: sql<number>`sum(case when ${exchanges.outcome} <> 'skipped' then 1 else 0 end)`,
      mismatched: sql<number>`sum(case when ${exchanges.outcome} = 'mismatch' then 1 else 0 end)`,
    })
    .from(exchanges)
    .where(eq(exchanges.run, run))
    .groupBy(exchanges.endpoint)
    .all();
  const fieldRows = store.db
    .select({ endpoint: differences.endpoint, field: differences.field, n: sql<number>`count(distinct ${differences.discrepancyId})` })
    .from(differences)
    .where(eq(differences.run, run))
    .groupBy(differences.endpoint, differences.field)
    .all();
  const fieldsByEndpoint = new Map<string, { path: string; mismatches: number }[]>();
  for (const r of fieldRows) {
    const list = fieldsByEndpoint.get(r.endpoint) ?? [];
    list.push({ path: r.field, mismatches: r.n });
    fieldsByEndpoint.set(r.endpoint, list);
  }
  return counts
    .map((c) => ({
      endpoint: c.endpoint,
      compared: c.compared,
      mismatched: c.mismatched,
      mismatchRate: rate(c.mismatched, c.compared),
      fields: (fieldsByEndpoint.get(c.endpoint) ?? []).sort((a, b) => b.mismatches - a.mismatches || a.path.localeCompare(b.path)),
    }))
    .sort((a, b) => b.mismatchRate - a.mismatchRate || b.compared - a.compared || a.endpoint.localeCompare(b.endpoint));
}

/** Keyset pagination on (createdAt, id), newest first: new discrepancies never shift a page. */
export interface DiscrepancyCursor {
  createdAt: number;
  id: string;
}

export function encodeCursor(c: DiscrepancyCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodeCursor(raw: string): DiscrepancyCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === 'string') {
      return { createdAt: v[0] as number, id: v[1] };
    }
  } catch {
    // fall through
  }
  return null;
}

export function listDiscrepancies(
  store: Store,
  q: { run: string; endpoint?: string | undefined; limit: number; cursor?: DiscrepancyCursor | null | undefined },
): { items: DiscrepancyListItem[]; nextCursor: string | null } {
  const conditions = [eq(discrepancies.run, q.run)];
  if (q.endpoint) conditions.push(eq(discrepancies.endpoint, q.endpoint));
  if (q.cursor) {
    const after = or(
      lt(discrepancies.createdAt, q.cursor.createdAt),
      and(eq(discrepancies.createdAt, q.cursor.createdAt), lt(discrepancies.id, q.cursor.id)),
    );
    if (after) conditions.push(after);
  }
  const rows = store.db
    .select({
      id: discrepancies.id,
      run: discrepancies.run,
      endpoint: discrepancies.endpoint,
      method: discrepancies.method,
      url: discrepancies.url,
      primaryStatus: discrepancies.primaryStatus,
      shadowStatus: discrepancies.shadowStatus,
      paths: discrepancies.paths,
      createdAt: discrepancies.createdAt,
    })
    .from(discrepancies)
    .where(and(...conditions))
    .orderBy(desc(discrepancies.createdAt), desc(discrepancies.id))
    .limit(q.limit + 1)
    .all();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ ...r, paths: r.paths as string[], createdAt: new Date(r.createdAt).toISOString() })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

function decodeValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function getDiscrepancy(store: Store, id: string): DiscrepancyDetail | null {
  const row = store.db.select().from(discrepancies).where(eq(discrepancies.id, id)).get();
  if (!row) return null;
  const diffs = store.db.select().from(differences).where(eq(differences.discrepancyId, id)).orderBy(differences.seq).all();
  return {
    id: row.id,
    run: row.run,
    endpoint: row.endpoint,
    risk: row.risk,
    createdAt: new Date(row.createdAt).toISOString(),
    request: row.request as DiscrepancyEvidence['request'],
    primary: row.primary as DiscrepancyEvidence['primary'],
    shadow: row.shadow as DiscrepancyEvidence['shadow'],
    differences: diffs.map((d) => ({
      path: d.path,
      field: d.field,
      kind: d.kind,
      risk: d.risk,
      primary: decodeValue(d.primaryValue),
      shadow: decodeValue(d.shadowValue),
    })),
  };
}
