import { describe, expect, it } from 'vitest';
import { BodyCapture } from '../../../libs/http/body-capture.js';
import { CaptureBudget, PairBytes } from '../../../libs/http/capture-budget.js';
import { withoutHopByHop } from '../../../libs/http/hop-by-hop.js';
import { REDACTED, redactHeaders } from '../../../libs/http/redact-headers.js';
import { createSampler } from '../../../libs/capture/sampler.js';
import { DropCounter } from '../../../libs/capture/drop-counter.js';
import { ExchangeRecorder } from '../../../libs/capture/exchange-recorder.js';
import { sentHosts, shadowHost } from '../../../libs/capture/shadow-host.js';
import type { JobPublisher } from '../../../libs/queue/queue.js';
import type { Exchange } from '../../../libs/exchange/exchange.js';
import { classifyShadowError } from '../../../libs/capture/shadow-client.js';
import { destinationHeaders } from '../../../libs/http/upstream-headers.js';

describe('sentHosts', () => {
  it('records the Host of each side when they differ', () => {
    expect(sentHosts('reviews:9080', '-shadow')).toEqual({ primary: 'reviews:9080', shadow: 'reviews-shadow:9080' });
    expect(sentHosts('reviews:9080', '')).toBeUndefined();
    expect(sentHosts(undefined, '-shadow')).toBeUndefined();
  });

  it('are not queued when the Host header is redacted', async () => {
    const seen: Exchange[] = [];
    // What the recorder hands to the queue, as the queue receives it.
    const publisher: JobPublisher = {
      publish: async (_name, _id, payload) => {
        if ('exchange' in payload) seen.push(JSON.parse(JSON.stringify(payload.exchange)) as Exchange);
      },
      isAvailable: () => true,
      close: async () => {},
    };
    const empty = { bytes: Buffer.alloc(0), size: 0, truncated: false };
    const exchange: Exchange = {
      id: 'x1',
      run: 'live',
      receivedAt: 1,
      request: { method: 'GET', url: '/', headers: { host: 'secret.internal' }, body: empty },
      primary: { status: 200, headers: {}, body: empty, latencyMs: 1 },
      shadow: { status: 200, headers: {}, body: empty, latencyMs: 1 },
      shadowError: null,
      hosts: sentHosts('secret.internal', '-shadow'),
      skipReason: null,
    };
    await new ExchangeRecorder(publisher, new DropCounter(publisher), ['host']).record(exchange);
    await new ExchangeRecorder(publisher, new DropCounter(publisher)).record({ ...exchange, id: 'x2' });
    expect(seen.map((e) => e.hosts)).toEqual([undefined, { primary: 'secret.internal', shadow: 'secret.internal-shadow' }]);
  });
});

describe('shadowHost', () => {
  it.each([
    ['reviews', '-shadow', 'reviews-shadow'],
    ['reviews:9080', '-shadow', 'reviews-shadow:9080'],
    ['reviews.default.svc.cluster.local:80', '-shadow', 'reviews.default.svc.cluster.local-shadow:80'],
    ['reviews:9080', '-canary', 'reviews-canary:9080'],
    ['reviews:9080', '', 'reviews:9080'],
    ['[::1]:8080', '-shadow', '[::1]:8080'],
  ])('%s with suffix %j -> %s', (host, suffix, expected) => {
    expect(shadowHost(host, suffix)).toBe(expected);
  });

  it('leaves a missing host missing', () => {
    expect(shadowHost(undefined, '-shadow')).toBeUndefined();
  });
});

describe('createSampler', () => {
  it('mirrors only the listed methods', () => {
    const sample = createSampler(['GET', 'HEAD', 'OPTIONS'], 100);
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE'].map(sample)).toEqual([true, true, true, false, false]);
  });

  it('draws the configured percentage', () => {
    let i = 0;
    const sequence = [0.05, 0.24, 0.25, 0.9];
    const sample = createSampler(['GET'], 25, () => sequence[i++ % sequence.length] as number);
    expect([1, 2, 3, 4].map(() => sample('GET'))).toEqual([true, true, false, false]);
    expect(createSampler(['GET'], 0)('GET')).toBe(false);
  });
});

describe('BodyCapture', () => {
  it('keeps up to the limit and counts everything', () => {
    const c = new BodyCapture(5);
    c.push(Buffer.from('abc'));
    c.push(Buffer.from('defgh'));
    expect(c.result()).toEqual({ bytes: Buffer.from('abcde'), size: 8, truncated: true });
  });

  it('is not truncated at exactly the limit, and empty when nothing came', () => {
    const c = new BodyCapture(3);
    c.push(Buffer.from('abc'));
    expect(c.result().truncated).toBe(false);
    expect(new BodyCapture(3).result()).toEqual({ bytes: Buffer.alloc(0), size: 0, truncated: false });
  });

  it("counts what it keeps in its pair's share of the budget; past it, lets its bytes go and the pair takes no more", () => {
    const budget = new CaptureBudget(100);
    const pair = new PairBytes(budget);
    const primary = new BodyCapture(1000, pair);
    primary.push(Buffer.alloc(60));
    expect(budget.used).toBe(60);
    const shadow = new BodyCapture(1000, pair);
    shadow.push(Buffer.alloc(30));
    shadow.push(Buffer.alloc(30));
    expect([shadow.overBudget, pair.overBudget, budget.used]).toEqual([true, true, 60]);
    // Another pair still has the room that is left; this one takes nothing more.
    expect(new PairBytes(budget).take(40)).toBe(true);
    // The primary's next bytes are refused too: it lets go of the 60 it kept.
    primary.push(Buffer.alloc(1));
    expect([primary.overBudget, budget.used]).toEqual([true, 40]);
    pair.release();
    expect(budget.used).toBe(40);
  });

  it('joins its chunks once: the bytes sent on and the bytes recorded are the same buffer', () => {
    const c = new BodyCapture(10);
    c.push(Buffer.from('ab'));
    c.push(Buffer.from('cd'));
    const first = c.bytes();
    expect(c.bytes()).toBe(first);
    c.push(Buffer.from('ef'));
    expect(c.bytes().toString()).toBe('abcdef');
  });
});

describe('headers', () => {
  it('removes hop-by-hop headers and those named in Connection', () => {
    expect(
      withoutHopByHop({ connection: 'keep-alive, x-private', 'keep-alive': 'timeout=5', 'x-private': '1', 'transfer-encoding': 'chunked', 'content-type': 'text/plain', upgrade: 'h2c' }),
    ).toEqual({ 'content-type': 'text/plain' });
  });

  it('redacts secrets, keeping the header present', () => {
    const names = new Set(['authorization', 'cookie', 'set-cookie']);
    expect(redactHeaders({ authorization: 'Bearer x', 'set-cookie': ['a=1', 'b=2'], accept: '*/*' }, names)).toEqual({
      authorization: REDACTED,
      'set-cookie': [REDACTED, REDACTED],
      accept: '*/*',
    });
  });

  it('copies a map only to redact it: the original is never changed, one without secrets is not copied', () => {
    const names = new Set(['authorization']);
    const secret = { authorization: 'Bearer x', accept: '*/*' };
    expect(redactHeaders(secret, names)).not.toBe(secret);
    expect(secret.authorization).toBe('Bearer x');
    const plain = { accept: '*/*' };
    expect(redactHeaders(plain, names)).toBe(plain);
  });

  it("gives a destination its own copy with its Host, and a captured body's length instead of chunking", () => {
    const base = { host: 'svc', 'transfer-encoding': 'chunked', accept: '*/*' };
    expect(destinationHeaders(base, 'svc-shadow', Buffer.from('abc'))).toEqual({ host: 'svc-shadow', 'content-length': '3', accept: '*/*' });
    expect(destinationHeaders(base, undefined, null)).toEqual(base);
    expect(base).toEqual({ host: 'svc', 'transfer-encoding': 'chunked', accept: '*/*' });
  });
});

describe('classifyShadowError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, false, 'connection_refused'],
    [{ code: 'ECONNRESET' }, false, 'connection_reset'],
    [{ code: 'UND_ERR_SOCKET' }, false, 'connection_reset'],
    [{ code: 'HPE_INVALID_CONSTANT' }, false, 'invalid_response'],
    [Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { name: 'HTTPParserError' }), false, 'invalid_response'],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, false, 'timeout'],
    [new Error('aborted'), true, 'timeout'],
    [new Error('weird'), false, 'error'],
  ])('%o (timed out: %s) -> %s', (error, timedOut, code) => {
    expect(classifyShadowError(error, timedOut)).toBe(code);
  });
});
