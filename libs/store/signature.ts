/**
 * An exchange's signature: the fields whose shadow difference counted (not cancelled by the
 * secondary on the same request), each with its highest risk. Distinct signatures are few, so they
 * are stored once (table signatures) and counted per run, endpoint and bucket; at report time an
 * exchange is mismatched when its signature holds a field that is not noise in the window, and its
 * risk is the highest among those fields.
 */
import { createHash } from 'node:crypto';
import type { Risk } from '../compare/difference.js';

export const RISK_RANK: Record<Risk, number> = { low: 1, medium: 2, high: 3 };
export const RISK_OF_RANK: Record<number, Risk> = { 1: 'low', 2: 'medium', 3: 'high' };

/** [field, risk rank] sorted by field. */
export type SignatureFields = [string, number][];

export interface Signature {
  hash: string;
  fields: SignatureFields;
}

/** Null for an exchange with no counting difference (a match). */
export function signatureOf(differences: readonly { side: string; cancelled: boolean; field: string; risk: Risk }[]): Signature | null {
  const byField = new Map<string, number>();
  for (const d of differences) {
    if (d.side !== 'shadow' || d.cancelled) continue;
    byField.set(d.field, Math.max(byField.get(d.field) ?? 0, RISK_RANK[d.risk]));
  }
  if (byField.size === 0) return null;
  const fields: SignatureFields = [...byField.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash('sha256').update(JSON.stringify(fields)).digest('base64url').slice(0, 22);
  return { hash, fields };
}

/** The risk of an exchange of this signature once `noise` fields are set aside; null: all noise. */
export function effectiveRisk(fields: SignatureFields, noise: ReadonlySet<string>): Risk | null {
  let rank = 0;
  for (const [field, r] of fields) if (!noise.has(field)) rank = Math.max(rank, r);
  return rank === 0 ? null : (RISK_OF_RANK[rank] ?? 'high');
}
