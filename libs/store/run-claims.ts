/**
 * A run holds exchanges from one source. A replay claims its run before its first request: a new
 * name is created with its kind and source; an existing one is refused unless the replay appends
 * to a replay run of the same source. The comparator's write checks the kind of every exchange
 * against its run's, so live mirroring never lands in a replay run, nor a replay in a live run.
 */
import { basename } from 'node:path';
import { sql } from 'drizzle-orm';
import { RunExistsError } from '../errors.js';
import type { RunKind } from '../exchange/exchange.js';
import type { Db } from './db.js';
import type { Store } from './open-store.js';
import type { ExchangeOutcome } from './write/types.js';

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

/** The refusal of a claim: what holds the name, and how to go on. */
function runExists(run: string, existing: ExistingRun, appendHint: string): RunExistsError {
  const what = `${existing.kind} run${existing.source ? ` (source ${existing.source})` : ''}`;
  const hint = existing.kind === 'replay' ? `; choose another run name, or ${appendHint} to add to it from the same source` : '; a replay never writes into a live run: choose another run name';
  return new RunExistsError(`run '${run}' already exists as a ${what}${hint}`);
}

async function existingRun(db: Db, name: string): Promise<ExistingRun | null> {
  const [row] = await db.all<ExistingRun>(sql`select kind, source from runs where name = ${name}`);
  if (row) return { kind: row.kind, source: row.source };
  // Only the ingress reports drops: a name known from drops alone is a live run.
  const [dropped] = await db.all(sql`select 1 as one from drops where run = ${name} limit 1`);
  return dropped ? { kind: 'live', source: LIVE_SOURCE } : null;
}

/**
 * Claims `name` for a replay of `source`; throws RunExistsError when it is taken. `appendHint` names
 * the switch in the caller's terms (`--append`, `"append": true`).
 */
export async function claimReplayRun(
  store: Store,
  claim: { name: string; source: string; append: boolean; appendHint: string },
  now = Date.now(),
): Promise<{ created: boolean }> {
  return store.db.transaction(async (tx) => {
    const existing = await existingRun(tx, claim.name);
    if (!existing) {
      // Two claims of one name at once (PostgreSQL): the second inserts nothing and reads the first's row.
      const created = await tx.run(sql`insert into runs (name, kind, source, created_at) values (${claim.name}, 'replay', ${claim.source}, ${now}) on conflict (name) do nothing`);
      if (created > 0) return { created: true };
      const winner = await existingRun(tx, claim.name);
      if (winner) throw runExists(claim.name, winner, claim.appendHint);
    } else if (claim.append && existing.kind === 'replay' && existing.source === claim.source) return { created: false };
    else throw runExists(claim.name, existing, claim.appendHint);
    return { created: false };
  });
}

/** A free run name: `base`, else `base-2`, `base-3`, … (two replays started in the same second). */
export async function freeRunName(store: Store, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!(await existingRun(store.db, name))) return name;
  }
}

/**
 * The run-kind guard, applied by the comparator's write (record-batch.ts) to each new exchange: one
 * whose kind differs from its run's is recorded as skipped (`run_conflict`), counted in that run,
 * and neither compared nor captured.
 */
export function guardRunKind(o: ExchangeOutcome, runKind: RunKind | undefined): ExchangeOutcome {
  if (runKind === undefined || runKind === o.runKind) return o;
  const { evidence: _evidence, capture: _capture, ...rest } = o;
  return { ...rest, outcome: 'skipped', skipReason: 'run_conflict', risk: null, differences: [], rules: { evaluated: [], hits: [] } };
}
