/** Bodies move to a comparator thread; only memory a body owns entirely is moved, the rest is copied. */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_BODY } from '../../../libs/http/body.js';
import { BodyCapture } from '../../../libs/http/body-capture.js';
import type { AnyJob } from '../../../libs/exchange/contracts.js';
import { ownsItsMemory, restoreBodies, transferableJob, withBodiesLost } from '../../../libs/exchange/transfer-list.js';
import type { Exchange } from '../../../libs/exchange/exchange.js';
import { makeExchange } from '../../support/fixtures.js';

const owned = (text: string) => {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  b.write(text);
  return b;
};
const job = (exchange: Exchange): AnyJob => ({ name: 'compare-exchange', id: exchange.id, attempt: 0, payload: { v: 1, exchange } });
const exchangeOf = (j: AnyJob) => (j.payload as { exchange: Exchange }).exchange;

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Posts through a real channel, as to a thread, and resolves to what the other side received. */
function post(j: AnyJob, transferList: ArrayBuffer[]): Promise<AnyJob> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return new Promise((resolve) => {
    port2.once('message', resolve);
    port1.postMessage(j, transferList);
  });
}

describe('ownsItsMemory', () => {
  it('tells a Buffer on memory of its own from a slice of the shared pool or of a larger buffer', () => {
    expect(ownsItsMemory(owned('abc'))).toBe(true);
    expect(ownsItsMemory(Buffer.from('abc'))).toBe(false); // small: a slice of Node's pool
    expect(ownsItsMemory(owned('abcdef').subarray(1))).toBe(false);
    expect(ownsItsMemory(new Uint8Array(4))).toBe(true);
  });

  it('holds for what BodyCapture keeps, however the body arrived', () => {
    const c = new BodyCapture(100);
    c.push(Buffer.from('{"a":'));
    c.push(Buffer.from('1}'));
    expect(ownsItsMemory(c.result().bytes)).toBe(true);
    expect(c.result().bytes.toString()).toBe('{"a":1}');
    const one = new BodyCapture(3);
    one.push(Buffer.from('abcdef'));
    expect(ownsItsMemory(one.result().bytes)).toBe(true);
    expect(one.result()).toEqual({ bytes: Buffer.from('abc'), size: 6, truncated: true });
  });
});

describe('transferableJob', () => {
  it('moves owned bodies, copies pooled ones, never lists the shared empty body, and the bytes arrive intact', async () => {
    const ex = makeExchange();
    ex.primary.body = { bytes: owned('{"id":1}'), size: 8, truncated: false };
    ex.shadow = { status: 200, headers: {}, body: { bytes: Buffer.from('{"id":2}'), size: 8, truncated: false }, latencyMs: 1 };
    ex.request.body = EMPTY_BODY;
    const pool = ex.shadow.body.bytes.buffer;
    const neighbour = Buffer.from('unrelated'); // likely shares the pool's ArrayBuffer

    const out = transferableJob(job(ex));
    expect(out.transferList).toHaveLength(2);
    expect(out.transferList).toContain(ex.primary.body.bytes.buffer);
    expect(out.transferList).not.toContain(pool);
    expect(out.detaches).toBe(true);

    const received = exchangeOf(await post(out.job, out.transferList));
    expect(Buffer.from(received.primary.body.bytes).toString()).toBe('{"id":1}');
    expect(Buffer.from(received.shadow?.body.bytes ?? []).toString()).toBe('{"id":2}');
    expect(received.request.body.bytes.byteLength).toBe(0);
    // The owned body moved (this side keeps a detached, empty view); the pool and its neighbours did not.
    expect(ex.primary.body.bytes.byteLength).toBe(0);
    expect(ex.shadow.body.bytes.toString()).toBe('{"id":2}');
    expect(neighbour.toString()).toBe('unrelated');
    expect(EMPTY_BODY.bytes.byteLength).toBe(0);
  });

  it('lists memory shared by two bodies once', () => {
    const shared = owned('same bytes');
    const ex = makeExchange();
    ex.primary.body = { bytes: shared, size: shared.length, truncated: false };
    if (ex.shadow) ex.shadow.body = { bytes: shared.subarray(0, 4), size: 4, truncated: false };
    const out = transferableJob(job(ex));
    expect(out.transferList).toEqual([shared.buffer]);
  });

  it('leaves a job without bodies as it is, and copies when nothing is owned', () => {
    const drops: AnyJob = { name: 'record-drops', id: 'd', attempt: 0, payload: { v: 1, reportId: 'r', run: 'live', counts: {} } };
    expect(transferableJob(drops)).toEqual({ job: drops, transferList: [], detaches: false });
    const pooled = makeExchange(); // fixtures build small Buffers: pool slices
    const out = transferableJob(job(pooled));
    expect(out.detaches).toBe(false);
    expect(out.transferList.every((b) => b.byteLength < 100)).toBe(true);
  });
});

describe('after a thread', () => {
  it('puts the bodies a failed job moved back into the job the queue holds', async () => {
    const ex = makeExchange();
    ex.primary.body = { bytes: owned('{"id":1}'), size: 8, truncated: false };
    const queued = job(ex);
    const there = transferableJob(queued);
    const received = await post(there.job, there.transferList);
    const back = transferableJob(received);
    restoreBodies(queued, await post(back.job, back.transferList));
    expect(Buffer.isBuffer(ex.primary.body.bytes)).toBe(true);
    expect(ex.primary.body.bytes.toString()).toBe('{"id":1}');
  });

  it('counts a pair whose bodies died with a thread as comparator_error, sizes kept, nothing captured', () => {
    const ex = makeExchange();
    const lost = exchangeOf(withBodiesLost(job(ex)));
    expect(lost.skipReason).toBe('comparator_error');
    expect(lost.primary.body).toEqual({ bytes: Buffer.alloc(0), size: ex.primary.body.size, truncated: true });
    const skipped = exchangeOf(withBodiesLost(job({ ...ex, skipReason: 'primary_body_too_large' })));
    expect(skipped.skipReason).toBe('primary_body_too_large');
  });
});
