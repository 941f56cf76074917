/** The BullMQ boundary: bodies leave as base64 text and come back as the same bytes. */
import { describe, expect, it } from 'vitest';
import { compareExchangePayloadSchema } from '../../../libs/exchange/payload-schemas.js';
import { withoutBodies } from '../../../libs/queue/retained-job.js';
import { fromWire, toWire } from '../../../libs/queue/wire-payload.js';
import { body, makeExchange } from '../../support/fixtures.js';

const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x7b]);

function payload() {
  const exchange = makeExchange({ secondary: { status: 200, headers: {}, body: body('second'), latencyMs: 1 } });
  exchange.request.body = { bytes: BINARY, size: 10, truncated: true };
  return { v: 1 as const, exchange };
}

describe('wire payload', () => {
  it('turns every body into base64 JSON and back into the same bytes, as Buffers', () => {
    const original = payload();
    const wire = JSON.parse(JSON.stringify(toWire('compare-exchange', original)));
    expect(wire.exchange.request.body).toEqual({ base64: BINARY.toString('base64'), size: 10, truncated: true });
    expect(Buffer.from(wire.exchange.primary.body.base64, 'base64').toString()).toBe('{"id":1,"name":"a"}');
    expect(wire.exchange.secondary.body.base64).toBe(Buffer.from('second').toString('base64'));

    const back = fromWire('compare-exchange', wire) as ReturnType<typeof payload>;
    for (const side of ['primary', 'shadow', 'secondary'] as const) {
      expect(Buffer.isBuffer(back.exchange[side]?.body.bytes)).toBe(true);
      expect(back.exchange[side]?.body.bytes.equals(original.exchange[side]?.body.bytes as Buffer)).toBe(true);
    }
    expect(back.exchange.request.body).toEqual({ bytes: BINARY, size: 10, truncated: true });
    expect(compareExchangePayloadSchema.safeParse(back).success).toBe(true);
  });

  it('leaves a null shadow, record-drops jobs and a body that is not base64 as they are', () => {
    const p = payload();
    p.exchange.shadow = null;
    const back = fromWire('compare-exchange', JSON.parse(JSON.stringify(toWire('compare-exchange', p)))) as ReturnType<typeof payload>;
    expect(back.exchange.shadow).toBeNull();
    const drops = { v: 1, reportId: 'r', run: 'live', counts: { queue_unavailable: 2 } };
    expect(toWire('record-drops', drops)).toBe(drops);
    const odd = { v: 1, exchange: { request: { body: { text: 'x' } } } };
    const read = fromWire('compare-exchange', odd) as typeof odd;
    expect(read.exchange.request.body).toEqual({ text: 'x' });
    // Such a payload fails the check, so the comparator counts the pair (comparator_error) instead.
    expect(compareExchangePayloadSchema.safeParse(read).success).toBe(false);
  });

  it('is what a retained failed job is stripped of', () => {
    const wire = toWire('compare-exchange', payload()) as { exchange: { request: { body: unknown }; primary: { body: unknown } } };
    const kept = withoutBodies(JSON.parse(JSON.stringify(wire))) as typeof wire;
    expect(kept.exchange.request.body).toEqual({ base64: '', size: 10, truncated: true });
    expect(kept.exchange.primary.body).toMatchObject({ base64: '' });
  });

  it('checks bytes in process: a base64 string there is refused', () => {
    const p = payload() as unknown as { exchange: { primary: { body: unknown } } };
    p.exchange.primary.body = { base64: 'eA==', size: 1, truncated: false };
    expect(compareExchangePayloadSchema.safeParse(p).success).toBe(false);
  });
});
