/**
 * A run holds exchanges from one source. A replay claims its run before its first request: a new
 * name is created with its kind and source; an existing one is refused unless the replay appends
 * to a replay run of the same source. The comparator's write checks the kind of every exchange
 * against its run's, so live mirroring never lands in a replay run, nor a replay in a live run.
 */
import { basename } from 'node:path';
import { eq } from 'drizzle-orm';
import { ShadowDiffError } from '../errors.js';
import type { RunKind } from '../types/exchange.js';
import type { Store } from './open-store.js';
import type { ExchangeOutcome } from './record-exchange.js';
import { drops, runs } from './schema/index.js';

/** The source of live mirroring, whatever the run's name. */
export const LIVE_SOURCE = 'live';

export type ReplaySourceRef = { fromRun: string } | { har: string } | { gor: string };

/** `run:<name>`, `har:<file name>`, `gor:<file name>`: the file's name, not its directory. */
export function replaySourceName(source: ReplaySourceRef): string {
  if ('fromRun' in source) return `run:${source.fromRun}`;
  if ('har' in source) return `har:${basename(source.har)}`;
  return `gor:${basename(source.gor)}`;
}

export interface ExistingRun {
  kind: RunKind;
  source: string | null;
}

export class RunExistsError extends ShadowDiffError {
  constructor(
    readonly run: string,
    readonly existing: ExistingRun,
    appendHint: string,
  ) {
    const what = `${existing.kind} run${existing.source ? ` (source ${existing.source})` : ''}`;
    const hint = existing.kind === 'replay' ? `; choose another run name, or ${appendHint} to add to it from the same source` : '; a replay never writes into a live run: choose another run name';
    super('SD_ERR_RUN_EXISTS', `run '${run}' already exists as a ${what}${hint}`);
  }
}

function existingRun(store: Store, name: string): ExistingRun | null {
  const row = store.db.select({ kind: runs.kind, source: runs.source }).from(runs).where(eq(runs.name, name)).get();
  if (row) return row;
  // Only the ingress reports drops: a name known from drops alone is a live run.
  const dropped = store.db.select({ run: drops.run }).from(drops).where(eq(drops.run, name)).limit(1).get();
  return dropped ? { kind: 'live', source: LIVE_SOURCE } : null;
}

/**
 * Claims `name` for a replay of `source`; throws RunExistsError when it is taken. `appendHint` names
 * the switch in the caller's terms (`--append`, `"append": true`).
 */
export function claimReplayRun(store: Store, claim: { name: string; source: string; append: boolean; appendHint: string }, now = Date.now()): { created: boolean } {
  return store.db.transaction(() => {
    const existing = existingRun(store, claim.name);
    if (!existing) {
      store.db.insert(runs).values({ name: claim.name, kind: 'replay', source: claim.source, createdAt: now }).run();
      return { created: true };
    }
    if (claim.append && existing.kind === 'replay' && existing.source === claim.source) return { created: false };
    throw new RunExistsError(claim.name, existing, claim.appendHint);
  });
}

/** A free run name: `base`, else `base-2`, `base-3`, … (two replays started in the same second). */
export function freeRunName(store: Store, base: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!existingRun(store, name)) return name;
  }
}

/**
 * Called inside the comparator's write transaction: an exchange whose kind differs from its run's
 * is recorded as skipped (`run_conflict`), counted in that run, and neither compared nor captured.
 */
export function guardRunKind(store: Store, o: ExchangeOutcome): ExchangeOutcome {
  const kind = store.db.select({ kind: runs.kind }).from(runs).where(eq(runs.name, o.run)).get()?.kind;
  if (kind === undefined || kind === o.runKind) return o;
  const { evidence: _evidence, capture: _capture, ...rest } = o;
  return { ...rest, outcome: 'skipped', skipReason: 'run_conflict', risk: null, differences: [], rules: { evaluated: [], hits: [] } };
}
