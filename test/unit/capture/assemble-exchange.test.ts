/** The skip-reason policy of a finished pair, case by case, and what the exchange carries. */
import { describe, expect, it } from 'vitest';
import { type CapturedBody, EMPTY_BODY } from '../../../libs/http/body.js';
import { assembleExchange, skipReasonOf, type PairParts } from '../../../libs/capture/assemble-exchange.js';
import { BodyCapture } from '../../../libs/http/body-capture.js';
import type { ShadowOutcome } from '../../../libs/capture/shadow-client.js';
import type { CapturedResponse } from '../../../libs/exchange/exchange.js';

/** A captured body of `size` bytes under a limit of 4. */
function body(size: number): CapturedBody {
  const capture = new BodyCapture(4);
  if (size > 0) capture.push(Buffer.alloc(size, 'x'));
  return capture.result();
}

const response = (size = 2, status = 200): CapturedResponse => ({ status, headers: { 'content-type': 'text/plain' }, body: body(size), latencyMs: 3 });
const answered = (size = 2): ShadowOutcome => ({ response: response(size), error: null });
const failed: ShadowOutcome = { response: null, error: { code: 'timeout', message: 'no complete response within 5 ms', latencyMs: 5 } };

function parts(over: Partial<PairParts> = {}): PairParts {
  return {
    id: 'ex-1',
    run: 'live',
    receivedAt: 1_700_000_000_000,
    request: { method: 'POST', url: '/a?b=1', headers: { host: 'svc' }, body: body(2) },
    requestEnd: 'whole',
    primary: response(),
    primaryFailure: null,
    primaryLatencyMs: 3,
    shadow: answered(),
    secondary: null,
    hosts: { primary: 'svc', shadow: 'svc-shadow' },
    ...over,
  };
}

describe('skipReasonOf', () => {
  it('compares a pair whose every side is whole and within the limit', () => {
    expect(skipReasonOf(parts())).toBeNull();
  });

  it('compares a pair whose shadow failed: the failure is what is compared', () => {
    expect(skipReasonOf(parts({ shadow: failed }))).toBeNull();
  });

  it.each([
    ['a failing primary', { primary: null, primaryFailure: 'primary_error' }, 'primary_error'],
    ['a client gone mid-response', { primaryFailure: 'client_aborted' }, 'client_aborted'],
    ['a request answered 408', { primary: null, primaryFailure: 'request_timeout' }, 'request_timeout'],
    ['a body that stopped arriving', { requestEnd: 'client_aborted', shadow: null }, 'client_aborted'],
    ['a body not whole in time', { requestEnd: 'request_timeout', shadow: null }, 'request_timeout'],
    ['a request body over the limit', { request: { method: 'POST', url: '/', headers: {}, body: body(5) }, shadow: null }, 'request_body_too_large'],
    ["a primary's body over the limit", { primary: response(5) }, 'primary_body_too_large'],
    ["a shadow's body over the limit", { shadow: answered(5) }, 'shadow_body_too_large'],
    ['a method mirror-target never sends', { refused: 'unsafe_method', primary: null, shadow: null }, 'unsafe_method'],
  ] as const)('skips %s', (_name, over, reason) => {
    expect(skipReasonOf(parts(over as Partial<PairParts>))).toBe(reason);
  });

  it("puts the primary's failure before the request's, and the request's before the bodies' sizes", () => {
    const bigRequest = { method: 'POST', url: '/', headers: {}, body: body(5) };
    expect(skipReasonOf(parts({ primaryFailure: 'primary_error', requestEnd: 'client_aborted', request: bigRequest }))).toBe('primary_error');
    expect(skipReasonOf(parts({ requestEnd: 'request_timeout', request: bigRequest, primary: response(5) }))).toBe('request_timeout');
    expect(skipReasonOf(parts({ request: bigRequest, primary: response(5), shadow: answered(5) }))).toBe('request_body_too_large');
    expect(skipReasonOf(parts({ primary: response(5), shadow: answered(5) }))).toBe('primary_body_too_large');
  });

  it('compares a pair whose secondary body is over the limit', () => {
    expect(skipReasonOf(parts({ secondary: answered(5) }))).toBeNull();
  });
});

describe('assembleExchange', () => {
  it('carries the request, each side and the hosts as given', () => {
    const p = parts({ secondary: failed });
    expect(assembleExchange(p)).toEqual({
      id: 'ex-1',
      run: 'live',
      receivedAt: 1_700_000_000_000,
      request: p.request,
      primary: p.primary,
      shadow: p.shadow?.response,
      shadowError: null,
      secondary: null,
      secondaryError: failed.error,
      hosts: { primary: 'svc', shadow: 'svc-shadow' },
      skipReason: null,
    });
  });

  it('holds no secondary fields when no secondary was asked', () => {
    const exchange = assembleExchange(parts());
    expect('secondary' in exchange || 'secondaryError' in exchange).toBe(false);
  });

  it('drops a truncated secondary from the comparison, keeping the pair', () => {
    const exchange = assembleExchange(parts({ secondary: answered(5) }));
    expect(exchange).toMatchObject({ secondary: null, secondaryError: null, skipReason: null });
  });

  it("stands an empty response in for a primary that failed, with the failure's latency", () => {
    const exchange = assembleExchange(parts({ primary: null, primaryFailure: 'primary_error', primaryLatencyMs: 42, shadow: failed }));
    expect(exchange.primary).toEqual({ status: 0, headers: {}, body: EMPTY_BODY, latencyMs: 42 });
    expect(exchange).toMatchObject({ shadow: null, shadowError: failed.error, skipReason: 'primary_error' });
  });

  it('records a pair the shadow never saw with neither response nor error', () => {
    const exchange = assembleExchange(parts({ requestEnd: 'client_aborted', shadow: null }));
    expect(exchange).toMatchObject({ shadow: null, shadowError: null, skipReason: 'client_aborted' });
  });
});
