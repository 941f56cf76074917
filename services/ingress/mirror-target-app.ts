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
import Fastify from 'fastify';
import { EMPTY_BODY } from '../../libs/capture/body-capture.js';
import { CaptureBudget, PairBytes } from '../../libs/capture/capture-budget.js';
import { compileTrustProxy } from '../../libs/capture/forwarding.js';
import { createMethodRule } from '../../libs/capture/method-rule.js';
import { RequestBodyTee } from '../../libs/capture/request-body-tee.js';
import { createSampler } from '../../libs/capture/sampler.js';
import { ShadowClient, type ShadowOutcome } from '../../libs/capture/shadow-client.js';
import { mirroredHosts, stripHostSuffix } from '../../libs/capture/shadow-host.js';
import { hasBody, upstreamHeaders } from '../../libs/capture/upstream-headers.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { CapturedBody, Exchange, HeaderMap, SkipReason } from '../../libs/types/exchange.js';
import type { IngressApp, IngressCounters, IngressOptions } from './ingress-app.js';
import { RequestGuard } from './request-guard.js';
import { serverTimeouts } from '../../libs/http/server-timeouts.js';

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

/** The request body once it is in: usable bytes, or why the exchange cannot be sent. */
type ReceivedBody = { bytes: Buffer | null; captured: CapturedBody; failure: SkipReason | null; overBudget: boolean };

/** Slots taken for one exchange; the secondary's is best effort. */
interface Slots {
  withSecondary: boolean;
}

const EMPTY_RESPONSE = (latencyMs: number) => ({ status: 0, headers: {}, body: EMPTY_BODY, latencyMs });

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
  const pending = new Set<Promise<void>>();
  const metrics = opts.metrics;

  const base = (m: Mirrored) => ({ id: randomUUID(), run: opts.run, receivedAt: m.receivedAt });

  /** Records an exchange that is not sent anywhere, with its reason. */
  const recordSkipped = (m: Mirrored, body: CapturedBody, reason: SkipReason): Promise<void> =>
    opts.recorder.record({
      ...base(m),
      request: { method: m.method, url: m.url, headers: m.headers, body },
      primary: EMPTY_RESPONSE(0),
      shadow: null,
      shadowError: null,
      skipReason: reason,
    });

  /** Reads the whole body into the capture (bounded in bytes like inline bodies); nothing streams on. */
  const receiveBody = async (m: Mirrored, res: ServerResponse): Promise<ReceivedBody> => {
    if (!hasBody(m.req.headers)) return { bytes: null, captured: EMPTY_BODY, failure: null, overBudget: false };
    const tee = new RequestBodyTee(m.req, opts.captureMaxBytes, m.bytes, { forward: false });
    const guard = new RequestGuard(m.req, res, { withBody: true, timeoutMs: opts.requestTimeoutMs }, () => tee.abort(new Error('request timeout')));
    const whole = await tee.done;
    const failure: SkipReason | null = !whole ? (guard.timedOut ? 'request_timeout' : 'client_aborted') : tee.truncated ? 'request_body_too_large' : null;
    // A body past the limit is still read to its end, so that the mesh's connection stays usable.
    return { bytes: failure ? null : tee.bytes(), captured: tee.result(), failure, overBudget: tee.overBudget };
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
    const baselineHost = stripHostSuffix(received, opts.stripHostSuffix);
    const headers = (host: string | undefined): HeaderMap => {
      const h: HeaderMap = { ...m.headers };
      if (host) h.host = host;
      if (bytes) {
        delete h['transfer-encoding'];
        h['content-length'] = String(bytes.length);
      }
      return h;
    };
    const request = (host: string | undefined) => ({ method: m.method, url: m.url, headers: headers(host), body: bytes, budget: m.bytes });
    const observe = (o: ShadowOutcome): ShadowOutcome => {
      metrics?.shadowLatencyMs(o.response ? 'response' : 'error', o.response ? o.response.latencyMs : o.error.latencyMs);
      return o;
    };
    return Promise.all([
      primary.send(request(baselineHost)),
      shadow.send(request(received)).then(observe),
      slots.withSecondary && secondary ? secondary.send(request(baselineHost)) : null,
    ]);
  };

  /** The exchange from the three outcomes, with the reason it cannot be compared if there is one. */
  const toExchange = (m: Mirrored, body: ReceivedBody, outcomes: [ShadowOutcome, ShadowOutcome, ShadowOutcome | null]): Exchange => {
    const [p, s, sec] = outcomes;
    let skipReason: SkipReason | null = null;
    if (!p.response) skipReason = 'primary_error';
    else if (p.response.body.truncated) skipReason = 'primary_body_too_large';
    else if (s.response?.body.truncated) skipReason = 'shadow_body_too_large';
    // A secondary body over the limit cannot say what is noise: compare without it.
    const usableSecondary = sec?.response?.body.truncated ? null : sec;
    return {
      ...base(m),
      request: { method: m.method, url: m.url, headers: m.headers, body: body.captured },
      primary: p.response ?? EMPTY_RESPONSE(p.error.latencyMs),
      shadow: s.response,
      shadowError: s.error,
      ...(sec ? { secondary: usableSecondary?.response ?? null, secondaryError: usableSecondary?.error ?? null } : {}),
      hosts: mirroredHosts(m.req.headers.host, opts.stripHostSuffix),
      skipReason,
    };
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
    if (body.failure) return recordSkipped(m, body.captured, body.failure);
    const slots = takeSlots(body.overBudget);
    if (typeof slots === 'string') return opts.drops.add(opts.run, slots);
    const outcomes = await sendAll(m, body.bytes, slots);
    metrics?.primaryLatencyMs(outcomes[0].response?.latencyMs ?? outcomes[0].error?.latencyMs ?? 0);
    if (!outcomes[0].response) {
      counters.primaryErrors++;
      metrics?.primaryError();
    }
    // Some response found no room in the in-flight bytes: it was not kept whole.
    if (m.bytes.overBudget) return opts.drops.add(opts.run, 'shadow_in_flight_limit');
    await opts.recorder.record(toExchange(m, body, outcomes));
  };

  const track = (done: Promise<void>): void => {
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };

  const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true, http: serverTimeouts(opts.headersTimeoutMs) });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }

  app.route({
    method: METHODS.filter((method) => method !== 'CONNECT'),
    url: '*',
    handler: async (request, reply) => {
      counters.requests++;
      metrics?.request();
      const req = request.raw;
      const res = reply.raw;
      reply.hijack();
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
        return track(recordSkipped(m, EMPTY_BODY, 'unsafe_method'));
      }
      const body = await receiveBody(m, res);
      accept(res);
      track(compareOutOfBand(m, body));
    },
  });

  app.addHook('onClose', async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await Promise.allSettled([primary.close(), shadow.close(), secondary?.close()]);
  });

  return {
    app,
    counters,
    shadowInFlight: () => shadow.inFlight,
    close: () => closeGracefully(app),
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
