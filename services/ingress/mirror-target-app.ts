/**
 * The ingress in mirror-target mode: the destination of a mesh's mirror (Istio `mirror`, Envoy
 * request_mirror_policies, nginx `mirror`). The mesh discards what it is answered and the client
 * never waits on it, so each request is answered 202 as soon as it is whole; then, out of band,
 * it is sent to the primary (a baseline of the version in production), the shadow and the
 * secondary, and the exchange goes to the queue like an inline one.
 *
 * Headers: every side gets the same headers, built as in inline mode (hop-by-hop and the report's
 * cookie removed, X-Forwarded-* per --trust-proxy); the mesh's tracing headers (x-request-id,
 * traceparent, x-b3-*, x-envoy-*) go on as received. Only the Host differs: the shadow gets it as
 * received (`reviews-shadow:9080`), the primary and the secondary without --strip-host-suffix.
 */
import { randomUUID } from 'node:crypto';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import { type CapturedBody, EMPTY_BODY } from '../../libs/http/body.js';
import type { HeaderMap } from '../../libs/http/headers.js';
import { assembleExchange, type RequestEnd } from '../../libs/capture/assemble-exchange.js';
import { CaptureBudget, PairBytes } from '../../libs/http/capture-budget.js';
import { compileTrustProxy } from '../../libs/http/forwarding.js';
import { createMethodRule } from '../../libs/capture/method-rule.js';
import { RequestBodyTee } from '../../libs/capture/request-body-tee.js';
import { createSampler } from '../../libs/capture/sampler.js';
import { ShadowClient, type ShadowOutcome } from '../../libs/capture/shadow-client.js';
import { mirroredHosts, stripHostSuffix } from '../../libs/capture/shadow-host.js';
import { destinationHeaders, hasBody, upstreamHeaders } from '../../libs/http/upstream-headers.js';
import type { CapturedRequest, SkipReason } from '../../libs/exchange/exchange.js';
import { serveIngress, type IngressApp, type IngressCounters, type IngressOptions } from './ingress-app.js';
import { PendingPairs } from './pending-pairs.js';
import { RequestGuard } from './request-guard.js';

export interface MirrorTargetOptions extends Omit<IngressOptions, 'shadowHostSuffix' | 'onPrimaryError'> {
  /** Removed from the received Host's name before the request goes to the primary and the secondary. */
  stripHostSuffix: string;
}

/** One mirrored request as received, with the headers every side gets (Host aside). */
interface Mirrored {
  req: IncomingMessage;
  method: string;
  url: string;
  headers: HeaderMap;
  receivedAt: number;
  /** Its share of the in-flight bytes: the body and the three responses, until it is queued. */
  bytes: PairBytes;
}

/** The request body once it is in: the bytes to send, the capture, and how it ended. */
type ReceivedBody = { bytes: Buffer | null; captured: CapturedBody; end: RequestEnd; overBudget: boolean };

/** Slots taken for one exchange; the secondary's is best effort. */
interface Slots {
  withSecondary: boolean;
}

/** 202, no body: the mesh discards it. Not sent twice (a timed-out request was answered 408). */
function accept(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(202, { 'content-length': '0' });
  res.end();
}

export function buildMirrorTargetApp(opts: MirrorTargetOptions): IngressApp {
  const client = (baseUrl: string, timeoutMs: number) =>
    new ShadowClient({ baseUrl, timeoutMs, maxInFlight: opts.shadowMaxInFlight, captureMaxBytes: opts.captureMaxBytes });
  // The primary is asked out of band too: bounded and timed out like the shadow, on its own slots.
  const primary = client(opts.primary, opts.primaryTimeoutMs);
  const shadow = client(opts.shadow, opts.shadowTimeoutMs);
  const secondary = opts.secondary ? client(opts.secondary, opts.shadowTimeoutMs) : null;
  const sample = createSampler(METHODS, opts.mirrorPercent);
  const methodRule = createMethodRule(opts.mirrorMethods);
  const trustProxy = opts.trustProxy ?? compileTrustProxy(undefined);
  const budget = new CaptureBudget(opts.shadowMaxInFlightBytes);
  const counters: IngressCounters = { requests: 0, mirrored: 0, primaryErrors: 0 };
  const pending = new PendingPairs();
  const metrics = opts.metrics;

  const requestOf = (m: Mirrored, body: CapturedBody): CapturedRequest => ({ method: m.method, url: m.url, headers: m.headers, body });

  /** An exchange that is not sent anywhere, with its reason (the request's own end, or a method never sent). */
  const recordUnsent = (m: Mirrored, body: CapturedBody, requestEnd: RequestEnd, refused: SkipReason | null = null): Promise<void> =>
    opts.recorder.record(
      assembleExchange({
        id: randomUUID(),
        run: opts.run,
        receivedAt: m.receivedAt,
        request: requestOf(m, body),
        requestEnd,
        refused,
        primary: null,
        primaryFailure: null,
        primaryLatencyMs: 0,
        shadow: null,
        secondary: null,
        hosts: undefined,
      }),
    );

  /** Reads the whole body into the capture (bounded in bytes like inline bodies); nothing streams on. */
  const receiveBody = async (m: Mirrored, res: ServerResponse): Promise<ReceivedBody> => {
    if (!hasBody(m.req.headers)) return { bytes: null, captured: EMPTY_BODY, end: 'whole', overBudget: false };
    const tee = new RequestBodyTee(m.req, opts.captureMaxBytes, m.bytes, { forward: false });
    const guard = new RequestGuard(m.req, res, { withBody: true, timeoutMs: opts.requestTimeoutMs }, () => tee.abort(new Error('request timeout')));
    const whole = await tee.done;
    const end: RequestEnd = whole ? 'whole' : guard.timedOut ? 'request_timeout' : 'client_aborted';
    // A body past the limit is still read to its end, so that the mesh's connection stays usable.
    return { bytes: whole && !tee.truncated ? tee.bytes() : null, captured: tee.result(), end, overBudget: tee.overBudget };
  };

  /** A shadow slot and a primary slot, or the reason the exchange is dropped. */
  const takeSlots = (overBudget: boolean): Slots | 'shadow_in_flight_limit' | 'primary_in_flight_limit' => {
    if (overBudget || !shadow.tryAcquire()) return 'shadow_in_flight_limit';
    if (!primary.tryAcquire()) {
      shadow.release();
      return 'primary_in_flight_limit';
    }
    return { withSecondary: secondary !== null && secondary.tryAcquire() };
  };

  /** Sends to every side at once: the shadow with the Host as received, the others without the mesh's suffix. */
  const sendAll = (m: Mirrored, bytes: Buffer | null, slots: Slots) => {
    const received = m.req.headers.host;
    // One copy per destination: the primary and the secondary get the same request, so they share theirs.
    const baseline = { method: m.method, url: m.url, headers: destinationHeaders(m.headers, stripHostSuffix(received, opts.stripHostSuffix), bytes), body: bytes, budget: m.bytes };
    const observe = (o: ShadowOutcome): ShadowOutcome => {
      metrics?.shadowLatencyMs(o.response ? 'response' : 'error', o.response ? o.response.latencyMs : o.error.latencyMs);
      return o;
    };
    return Promise.all([
      primary.send(baseline),
      shadow.send({ ...baseline, headers: destinationHeaders(m.headers, received, bytes) }).then(observe),
      slots.withSecondary && secondary ? secondary.send(baseline) : null,
    ]);
  };

  /** Everything after the 202: slots, the three requests, the queue. Every path ends recorded or dropped. */
  const compareOutOfBand = async (m: Mirrored, body: ReceivedBody): Promise<void> => {
    try {
      await sendAndRecord(m, body);
    } finally {
      m.bytes.release();
    }
  };

  const sendAndRecord = async (m: Mirrored, body: ReceivedBody): Promise<void> => {
    if (body.end !== 'whole' || body.captured.truncated) return recordUnsent(m, body.captured, body.end);
    const slots = takeSlots(body.overBudget);
    if (typeof slots === 'string') return opts.drops.add(opts.run, slots);
    const [p, s, sec] = await sendAll(m, body.bytes, slots);
    metrics?.primaryLatencyMs(p.response?.latencyMs ?? p.error?.latencyMs ?? 0);
    if (!p.response) {
      counters.primaryErrors++;
      metrics?.primaryError();
    }
    // Some response found no room in the in-flight bytes: it was not kept whole.
    if (m.bytes.overBudget) return opts.drops.add(opts.run, 'shadow_in_flight_limit');
    await opts.recorder.record(
      assembleExchange({
        id: randomUUID(),
        run: opts.run,
        receivedAt: m.receivedAt,
        request: requestOf(m, body.captured),
        requestEnd: 'whole',
        primary: p.response,
        primaryFailure: p.response ? null : 'primary_error',
        primaryLatencyMs: p.response ? p.response.latencyMs : p.error.latencyMs,
        shadow: s,
        secondary: sec,
        hosts: mirroredHosts(m.req.headers.host, opts.stripHostSuffix),
      }),
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    counters.requests++;
    metrics?.request();
    const m: Mirrored = { req, method: req.method ?? 'GET', url: req.url ?? '/', headers: upstreamHeaders(req, trustProxy), receivedAt: Date.now(), bytes: new PairBytes(budget) };
    if (!sample(m.method)) {
      req.resume();
      return accept(res);
    }
    counters.mirrored++;
    metrics?.mirrored();
    if (methodRule(m.method) === 'unsafe_method') {
      // Never sent anywhere: its body is not read into memory, only drained.
      req.resume();
      accept(res);
      return pending.track(recordUnsent(m, EMPTY_BODY, 'whole', 'unsafe_method'));
    }
    void receiveBody(m, res).then((body) => {
      accept(res);
      pending.track(compareOutOfBand(m, body));
    });
  };

  return serveIngress(opts, handle, { counters, pending, shadow, clients: () => [primary.close(), shadow.close(), secondary?.close()] });
}
