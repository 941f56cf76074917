import { afterEach, describe, expect, it } from 'vitest';
import { claimReplayRun, openStore, RunExistsError, summary, type Store } from '../../../libs/store/index.js';
import { createJobHandler } from '../../../services/comparator/handle-job.js';
import { makeExchange } from '../../support/fixtures.js';
import { tempDb } from '../../support/temp.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
const fresh = () => {
  const s = openStore(tempDb());
  stores.push(s);
  return s;
};

describe('a run holds one kind of exchange', () => {
  it('records a replay exchange aimed at a live run as skipped run_conflict, never as a match', async () => {
    const store = fresh();
    const handle = createJobHandler(store);
    const live = makeExchange({ id: 'l1', primaryJson: { a: 1 }, shadowJson: { a: 2 } });
    await handle({ name: 'compare-exchange', id: live.id, payload: { v: 1, exchange: live }, attempt: 0 });
    const stray = { ...makeExchange({ id: 'r1', primaryJson: { a: 1 }, shadowJson: { a: 1 } }), runKind: 'replay' as const };
    await handle({ name: 'compare-exchange', id: stray.id, payload: { v: 1, exchange: stray }, attempt: 0 });
    expect(summary(store, 'live')).toMatchObject({ compared: 1, matched: 0, mismatched: 1, skipped: 1 });
    expect(store.sqlite.prepare("select skip_reason as r from exchanges where id = 'r1'").get()).toEqual({ r: 'run_conflict' });
  });

  it('claims a new replay run, refuses a taken one, and appends only from the same source', () => {
    const store = fresh();
    const claim = (name: string, source: string, append = false) => claimReplayRun(store, { name, source, append, appendHint: '--append' });
    expect(claim('r', 'har:a.har')).toEqual({ created: true });
    expect(() => claim('r', 'har:a.har')).toThrow(RunExistsError);
    expect(() => claim('r', 'har:b.har', true)).toThrow(/source har:a\.har/);
    expect(claim('r', 'har:a.har', true)).toEqual({ created: false });
    store.sqlite.prepare("insert into drops (report_id, run, reason, count, reported_at) values ('x', 'mirrored', 'queue_unavailable', 1, 0)").run();
    expect(() => claim('mirrored', 'run:live', true)).toThrow(/live run/);
  });
});
