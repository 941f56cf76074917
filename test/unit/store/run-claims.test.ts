import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { RunExistsError } from '../../../libs/errors.js';
import { claimReplayRun, freeRunName, openStore, type Store } from '../../../libs/store/index.js';
import { createJobHandler } from '../../../services/comparator/handle-job.js';
import { makeExchange } from '../../support/fixtures.js';
import { tempDb } from '../../support/temp.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const fresh = async () => {
  const s = await openStore(tempDb());
  stores.push(s);
  return s;
};

describe('a run holds one kind of exchange', () => {
  it('records a replay exchange aimed at a live run as skipped run_conflict, never as a match', async () => {
    const store = await fresh();
    const handle = createJobHandler(store);
    const live = makeExchange({ id: 'l1', primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await handle({ name: 'compare-exchange', id: live.id, payload: { v: 1, exchange: live }, attempt: 0 });
    const stray = { ...makeExchange({ id: 'r1', primaryJson: { a: 1 }, shadowJson: { a: 1 } }), runKind: 'replay' as const };
    await handle({ name: 'compare-exchange', id: stray.id, payload: { v: 1, exchange: stray }, attempt: 0 });
    const [r] = await store.db.all(sql`select sum(compared) as compared, sum(differing) as differing, sum(skipped) as skipped from rollups where run = 'live' and span = 0`);
    expect(r).toEqual({ compared: 1, differing: 1, skipped: 1 });
    expect(await store.db.all(sql`select reason, count from skip_rollups where span = 0`)).toEqual([{ reason: 'run_conflict', count: 1 }]);
    expect(await store.db.all(sql`select count(*) as n from discrepancies`)).toEqual([{ n: 1 }]);
  });

  it('claims a new replay run, refuses a taken one, and appends only from the same source', async () => {
    const store = await fresh();
    const claim = (name: string, source: string, append = false) => claimReplayRun(store, { name, source, append, appendHint: '--append' });
    expect(await claim('r', 'har:a.har')).toEqual({ created: true });
    await expect(claim('r', 'har:a.har')).rejects.toThrow(RunExistsError);
    await expect(claim('r', 'har:b.har', true)).rejects.toThrow(/source har:a\.har/);
    expect(await claim('r', 'har:a.har', true)).toEqual({ created: false });
    await store.db.run(sql`insert into drops (report_id, run, reason, count, reported_at) values ('x', 'mirrored', 'queue_unavailable', 1, 0)`);
    await expect(claim('mirrored', 'run:live', true)).rejects.toThrow(/live run/);
    expect(await freeRunName(store, 'r')).toBe('r-2');
  });
});
