/**
 * The distributed mode on PostgreSQL: one Redis, one PostgreSQL database, an ingress, three
 * comparator processes and two report-api processes. One comparator is SIGKILLed mid-backlog; its
 * jobs are redelivered to the others and counted once, and both report APIs give the same figures,
 * adding up to what was sent.
 */
import { request } from 'undici';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { summary } from '../../libs/store/index.js';
import { openStore } from '../../libs/store/open-store.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { QUEUE_KINDS } from '../support/harness.js';
import { useScope } from '../support/scope.js';
import { tempPgDb } from '../support/stores.js';
import { randomPrefix } from '../support/temp.js';
import { json, startUpstream } from '../support/upstream.js';
import { waitFor } from '../support/wait.js';

const children: CliProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.kill('SIGKILL');
      await c.exited();
    }
  }
  for (const c of closers.splice(0)) await c();
});

function cli(args: string[]): CliProcess {
  const p = spawnCli(args);
  children.push(p);
  return p;
}

interface Summary {
  compared: number;
  matched: number;
  mismatched: number;
  skipped: number;
  dropped: number;
  shadowErrors: number;
}

/** A body with some weight, so that comparing takes long enough for a backlog to exist. */
const items = Array.from({ length: 300 }, (_, k) => ({ id: k, name: `item ${k}`, price: k * 1.5 }));

describe('distributed mode on PostgreSQL', () => {
  it('counts every request once with three comparators (one SIGKILLed mid-backlog) and two report APIs that agree', async () => {
    const total = 300;
    const primary = await startUpstream((req, res) => json(res, 200, { path: req.url, items }));
    // The shadow changes one price on the /b paths: those are the mismatches.
    const shadow = await startUpstream((req, res) =>
      json(res, 200, { path: req.url, items: req.url.startsWith('/b/') ? items.map((it) => (it.id === 7 ? { ...it, price: 0 } : it)) : items }),
    );
    closers.push(() => primary.close(), () => shadow.close());
    const db = await tempPgDb();
    const redis = inject('redisUrl');
    const prefix = randomPrefix();
    await (await openStore(db)).close(); // migrated before the report APIs read it
    const queue = ['--redis', redis, '--queue-prefix', prefix];

    const reports = [1, 2].map(() => cli(['report-api', '--db', db, '--listen', '127.0.0.1:0', ...queue]));
    const ingress = cli(['ingress', '--primary', primary.url, '--shadow', shadow.url, '--listen', '127.0.0.1:0', ...queue]);
    // Six processes start at once on a shared machine: give them time.
    const [ingressPort, ...reportPorts] = await Promise.all([
      ingress.ready(30_000).then((r) => r.port('ingress')),
      ...reports.map((r) => r.ready(30_000).then((b) => b.port('report'))),
    ]);
    const summaryOf = async (port: number) => (await (await request(`http://127.0.0.1:${port}/api/v1/summary`)).body.json()) as Summary;

    // The requests wait in Redis until the comparators start: a backlog for the kill to land in.
    for (let i = 0; i < total; i++) {
      const path = `/${i % 2 ? 'a' : 'b'}/${i}`;
      const res = await request(`http://127.0.0.1:${ingressPort}${path}`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    const comparator = (concurrency: number) => cli(['comparator', '--db', db, ...queue, '--job-lock', '2s', '--comparator-concurrency', String(concurrency)]);
    // The first comparator works slowly on its own, so that it dies with work both done and in hand
    // (its locked jobs are redelivered to the others once the lock expires).
    const victim = comparator(2);
    await victim.ready(30_000);
    await waitFor(() => summaryOf(reportPorts[0] as number), (s) => s.compared >= 20, 30_000, 'some comparisons');
    const others = [comparator(8), comparator(8)];
    victim.kill('SIGKILL');
    await victim.exited();
    const atKill = await summaryOf(reportPorts[0] as number);
    expect(atKill.compared + atKill.skipped).toBeLessThan(total); // it died with work left
    await Promise.all(others.map((c) => c.ready(30_000)));

    const settled = await waitFor(
      () => summaryOf(reportPorts[0] as number),
      (s) => s.compared + s.skipped + s.dropped >= total,
      60_000,
      `${total} requests accounted for`,
    );
    // Redelivered jobs of the killed comparator finish on the others; nothing may count twice.
    await new Promise((r) => setTimeout(r, 3000));
    const [one, two] = await Promise.all(reportPorts.map((p) => summaryOf(p)));
    expect(one).toEqual(two);
    expect(one).toEqual(settled);
    expect(one).toMatchObject({ compared: total, matched: total / 2, mismatched: total / 2, skipped: 0, dropped: 0, shadowErrors: 0 });

    const endpoints = await Promise.all(
      reportPorts.map(async (p) => (await (await request(`http://127.0.0.1:${p}/api/v1/endpoints`)).body.json()) as unknown),
    );
    expect(endpoints[0]).toEqual(endpoints[1]);
  }, 150_000);
});

describe.each(QUEUE_KINDS)('start on PostgreSQL, %s queue', (queueKind) => {
  const scope = useScope();

  it('compares what goes through the ingress and reports it from PostgreSQL', async () => {
    const primary = await scope.upstream((req, res) => json(res, 200, { path: req.url, v: 1 }));
    const shadow = await scope.upstream((req, res) => json(res, 200, { path: req.url, v: req.url.startsWith('/b/') ? 2 : 1 }));
    const h = await scope.harness(queueKind, { primary: primary.url, shadow: shadow.url }, {}, { store: 'postgres' });
    expect(h.db).toMatch(/^postgres:\/\//);
    for (let i = 0; i < 20; i++) {
      const res = await request(`${h.ingress}/${i % 4 ? 'a' : 'b'}/${i}`);
      expect(await res.body.json()).toEqual({ path: `/${i % 4 ? 'a' : 'b'}/${i}`, v: 1 });
    }
    expect(await h.settled(20)).toMatchObject({ compared: 20, mismatched: 5, skipped: 0, dropped: 0 });
    // The counts are in PostgreSQL, not in the process: a store opened on the URL sees the run.
    const store = await openStore(h.db);
    scope.defer(() => store.close());
    expect(store.dialect).toBe('postgres');
    expect(await summary(store, 'live')).toMatchObject({ compared: 20, mismatched: 5 });
  });
});
