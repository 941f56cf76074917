/**
 * What a candidate (the head run) fixed or broke against another (the base run), field by field:
 * a field differs in a run when exchanges are mismatched because of it there (after that run's own
 * noise, over the window). `new`: differs in head, never in base; `fixed`: differed in base, never
 * in head; `persisting`: both. Read from the same figures as the endpoints' fields, per run.
 */
import type { EndpointComparison, FieldChange, RunComparison, RunCounts } from '../../api/trend-schemas.js';
import type { Store } from '../open-store.js';
import { endpointCounts } from './counts.js';
import { windowNoise } from './noise-fields.js';
import { mismatchesOf, signatureCounts } from './signatures.js';
import { rate, type ReportOptions } from './types.js';

export type { EndpointComparison, FieldChange, RunComparison, RunCounts } from '../../api/trend-schemas.js';
export type FieldStatus = FieldChange['status'];

interface RunSideFigures {
  counts: Map<string, RunCounts>;
  /** Mismatches per differing field, by endpoint. */
  fields: Map<string, Map<string, number>>;
}

async function sideFigures(store: Store, run: string, opts: ReportOptions): Promise<RunSideFigures> {
  const [counts, signatures] = await Promise.all([endpointCounts(store.db, run, opts.window), signatureCounts(store.db, run, opts.window)]);
  const { noise } = await windowNoise(store.db, run, { ...opts, withSecondary: new Map(counts.map((c) => [c.endpoint, c.withSecondary])) });
  const mismatches = mismatchesOf(signatures, noise);
  const out: RunSideFigures = { counts: new Map(), fields: new Map() };
  for (const c of counts) {
    const m = mismatches.get(c.endpoint);
    const mismatched = m?.mismatched ?? 0;
    out.counts.set(c.endpoint, { compared: c.compared, mismatched, mismatchRate: rate(mismatched, c.compared) });
    out.fields.set(c.endpoint, m?.fields ?? new Map());
  }
  return out;
}

const STATUS_ORDER: Record<FieldStatus, number> = { new: 0, fixed: 1, persisting: 2 };

export function fieldChanges(base: ReadonlyMap<string, number>, head: ReadonlyMap<string, number>): FieldChange[] {
  const paths = new Set([...base.keys(), ...head.keys()]);
  return [...paths]
    .map((path): FieldChange => {
      const baseMismatches = base.get(path) ?? 0;
      const headMismatches = head.get(path) ?? 0;
      const status = baseMismatches === 0 ? 'new' : headMismatches === 0 ? 'fixed' : 'persisting';
      return { path, status, baseMismatches, headMismatches };
    })
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        Math.max(b.headMismatches, b.baseMismatches) - Math.max(a.headMismatches, a.baseMismatches) ||
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
}

const NONE: RunCounts = Object.freeze({ compared: 0, mismatched: 0, mismatchRate: 0 });
const newCount = (e: EndpointComparison) => e.fields.filter((f) => f.status === 'new').length;
const fixedCount = (e: EndpointComparison) => e.fields.filter((f) => f.status === 'fixed').length;

export async function compareRuns(store: Store, base: string, head: string, opts: ReportOptions = {}): Promise<RunComparison> {
  const [b, h] = await Promise.all([sideFigures(store, base, opts), sideFigures(store, head, opts)]);
  const names = [...new Set([...b.counts.keys(), ...h.counts.keys()])];
  const endpoints = names.map((endpoint): EndpointComparison => {
    const inBase = b.counts.has(endpoint);
    const inHead = h.counts.has(endpoint);
    return {
      endpoint,
      presence: inBase && inHead ? 'both' : inBase ? 'base' : 'head',
      base: b.counts.get(endpoint) ?? { ...NONE },
      head: h.counts.get(endpoint) ?? { ...NONE },
      fields: fieldChanges(b.fields.get(endpoint) ?? new Map(), h.fields.get(endpoint) ?? new Map()),
    };
  });
  // What the head broke first, then what it fixed, then by name.
  endpoints.sort((x, y) => newCount(y) - newCount(x) || fixedCount(y) - fixedCount(x) || (x.endpoint < y.endpoint ? -1 : x.endpoint > y.endpoint ? 1 : 0));
  return { base, head, endpoints };
}
