/**
 * Mismatches after noise, from the signatures counted in the window: an exchange is mismatched when
 * its signature holds a field that is not noise, with the highest risk among those fields.
 */
import { sql } from 'drizzle-orm';
import { num, type Db } from '../db.js';
import { effectiveRisk, type SignatureFields } from '../signature.js';
import type { ByRisk, TimeWindow } from './types.js';
import { inSpans } from './window.js';

export interface SignatureCount {
  endpoint: string;
  signature: string;
  fields: SignatureFields;
  count: number;
}

export async function signatureCounts(db: Db, run: string, window: TimeWindow | undefined, endpoint?: string): Promise<SignatureCount[]> {
  const one = endpoint === undefined ? sql`` : sql` and endpoint = ${endpoint}`;
  const rows = await db.all<{ endpoint: string; signature: string; n: unknown; fields: string }>(sql`
    select c.endpoint, c.signature, c.n, s.fields from (
      select endpoint, signature, sum(count) as n from signature_rollups
      where ${inSpans(run, window)}${one} group by endpoint, signature
    ) c join signatures s on s.hash = c.signature`);
  return rows.map((r) => ({ endpoint: r.endpoint, signature: r.signature, fields: JSON.parse(r.fields) as SignatureFields, count: num(r.n) }));
}

export interface Mismatches {
  mismatched: number;
  byRisk: ByRisk;
  /** Per non-noise field: mismatched exchanges whose signature holds it. */
  fields: Map<string, number>;
}

const NO_NOISE: ReadonlySet<string> = new Set();

/** Mismatches per endpoint, given the window's noise fields per endpoint. */
export function mismatchesOf(counts: readonly SignatureCount[], noise: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Mismatches> {
  const out = new Map<string, Mismatches>();
  for (const c of counts) {
    const noisy = noise.get(c.endpoint) ?? NO_NOISE;
    const risk = effectiveRisk(c.fields, noisy);
    if (risk === null) continue;
    let m = out.get(c.endpoint);
    if (!m) out.set(c.endpoint, (m = { mismatched: 0, byRisk: { high: 0, medium: 0, low: 0 }, fields: new Map() }));
    m.mismatched += c.count;
    m.byRisk[risk] += c.count;
    for (const [field] of c.fields) if (!noisy.has(field)) m.fields.set(field, (m.fields.get(field) ?? 0) + c.count);
  }
  return out;
}
