/**
 * A pair can differ in tens of thousands of places (a list that differs in every element). It is
 * still one mismatch: the store keeps a capped list per side and the true total. The kept ones are
 * those that count first (not cancelled by the secondary), then by risk (high first), then by path
 * in natural order (`[2]` before `[10]`), so the mismatch and its risk survive the cap.
 */
import type { StoredDifference } from './write/types.js';

/** Differences stored per side of one exchange. */
export const MAX_STORED_DIFFERENCES = 1000;

const RISK_RANK = { high: 0, medium: 1, low: 2 } as const;
const natural = new Intl.Collator('en', { numeric: true });

function byImportance(a: StoredDifference, b: StoredDifference): number {
  return Number(a.cancelled) - Number(b.cancelled) || RISK_RANK[a.risk] - RISK_RANK[b.risk] || natural.compare(a.path, b.path);
}

export interface CappedDifferences {
  /** What is stored: each side in compare order, or by importance when it was capped. */
  kept: StoredDifference[];
  totals: { shadow: number; secondary: number };
  truncated: boolean;
}

export function capDifferences(all: readonly StoredDifference[], max = MAX_STORED_DIFFERENCES): CappedDifferences {
  const shadow = all.filter((d) => d.side === 'shadow');
  const secondary = all.filter((d) => d.side === 'secondary');
  const cap = (side: StoredDifference[]) => (side.length <= max ? side : [...side].sort(byImportance).slice(0, max));
  return {
    kept: [...cap(shadow), ...cap(secondary)],
    totals: { shadow: shadow.length, secondary: secondary.length },
    truncated: shadow.length > max || secondary.length > max,
  };
}
