/** One discrepancy: its evidence and differences, with the noise flags of its endpoint over the window. */
import { sql } from 'drizzle-orm';
import type { DiscrepancyDetail } from '../../api/report-schemas.js';
import { num } from '../db.js';
import type { Store } from '../open-store.js';
import { effectiveRisk, type SignatureFields } from '../signature.js';
import { windowNoise } from './noise-fields.js';
import type { ReportOptions } from './types.js';

export type { DiscrepancyDetail } from '../../api/report-schemas.js';
export type StoredResponseView = DiscrepancyDetail['shadow'];

function decodeValue(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    return text;
  }
}

interface DifferenceRow {
  side: string;
  cancelled: unknown;
  path: string;
  field: string;
  kind: string;
  risk: string;
  primary_value: string | null;
  other_value: string | null;
  detail: string | null;
}

function view(rows: readonly DifferenceRow[], side: 'shadow' | 'secondary', noisy: ReadonlySet<string>) {
  return rows
    .filter((d) => d.side === side)
    .map((d) => ({
      path: d.path,
      field: d.field,
      kind: d.kind,
      risk: d.risk,
      primary: decodeValue(d.primary_value),
      [side]: decodeValue(d.other_value),
      ...(side === 'shadow' ? { noise: num(d.cancelled) === 1 || noisy.has(d.field) } : {}),
      ...(d.detail ? { detail: d.detail } : {}),
    }));
}

export async function getDiscrepancy(store: Store, id: string, opts: ReportOptions = {}): Promise<DiscrepancyDetail | null> {
  const [row] = await store.db.all<Record<string, unknown>>(sql`
    select id, run, endpoint, risk, signature, request, "primary", shadow, created_at, differences_total, secondary_differences_total
    from discrepancies where id = ${id}`);
  if (!row) return null;
  const run = String(row.run);
  const endpoint = String(row.endpoint);
  const [{ noise }, signature, diffs] = await Promise.all([
    windowNoise(store.db, run, { ...opts, endpoint }),
    store.db.all<{ fields: string }>(sql`select fields from signatures where hash = ${String(row.signature)}`),
    store.db.all<DifferenceRow>(sql`
      select side, cancelled, path, field, kind, risk, primary_value, other_value, detail
      from differences where exchange_id = ${id} order by seq`),
  ]);
  const noisy = noise.get(endpoint) ?? new Set<string>();
  const { secondary, ...shadow } = JSON.parse(String(row.shadow)) as StoredResponseView & { secondary?: StoredResponseView | null };
  const differences = view(diffs, 'shadow', noisy) as DiscrepancyDetail['differences'];
  const secondaryDifferences = view(diffs, 'secondary', noisy) as DiscrepancyDetail['secondaryDifferences'];
  const differencesTotal = num(row.differences_total);
  const secondaryDifferencesTotal = num(row.secondary_differences_total);
  return {
    id: String(row.id),
    run,
    endpoint,
    // After noise, as the list shows it; the stored risk (before noise) when the signature is gone or all noise.
    risk: (signature[0] && effectiveRisk(JSON.parse(signature[0].fields) as SignatureFields, noisy)) ?? String(row.risk),
    createdAt: new Date(num(row.created_at)).toISOString(),
    request: JSON.parse(String(row.request)) as DiscrepancyDetail['request'],
    primary: JSON.parse(String(row.primary)) as DiscrepancyDetail['primary'],
    shadow,
    secondary: secondary ?? null,
    differences,
    secondaryDifferences,
    differencesTotal,
    secondaryDifferencesTotal,
    differencesTruncated: differencesTotal > differences.length || secondaryDifferencesTotal > secondaryDifferences.length,
  };
}
