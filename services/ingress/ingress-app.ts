/**
 * The ingress: a reverse proxy in front of the primary that mirrors a sample of the traffic to the
 * shadow. The client waits on the primary only; the shadow, the queue and the store are out of band.
 * No parsing or diffing happens here: bodies are captured as bytes and handed to the queue.
 *
 * One request, in steps: decide the mirror, tee the body, dispatch the mirrors, proxy the primary,
 * assemble the exchange. Headers are copied once per destination: the primary's (which the
 * secondary and the record share), the shadow's, the client's response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EMPTY_BODY } from '../../libs/http/body.js';
import type { HeaderMap } from '../../libs/http/headers.js';
import { assembleExchange, type RequestEnd } from '../../libs/capture/assemble-exchange.js';
import { BodyCapture } from '../../libs/http/body-capture.js';
import { CaptureBudget, PairBytes } from '../../libs/http/capture-budget.js';
import type { DropCounter } from '../../libs/capture/drop-counter.js';
import type { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import { compileTrustProxy, type TrustProxy } from '../../libs/http/forwarding.js';
import { withoutHopByHop } from '../../libs/http/hop-by-hop.js';
import { RequestBodyTee } from '../../libs/capture/request-body-tee.js';
import { createSampler } from '../../libs/capture/sampler.js';
import { ShadowClient, type ShadowOutcome } from '../../libs/capture/shadow-client.js';
import { sentHosts, shadowHost } from '../../libs/capture/shadow-host.js';
import { createUpstream } from '../../libs/http/upstream.js';
import { destinationHeaders, hasBody, upstreamHeaders } from '../../libs/http/upstream-headers.js';
import { PrimaryTimeoutError, PrimaryUnreachableError } from '../../libs/errors.js';
import { forwardBody } from '../../libs/http/forward-body.js';
import type { CapturedResponse, SkipReason } from '../../libs/exchange/exchange.js';
import type { IngressMetrics } from './ingress-metrics.js';
import { PendingPairs } from './pending-pairs.js';
import { createProxyServer, type ProxyHandler, type ProxyServer, type ProxyServerFactory } from './proxy-server.js';
import { RequestGuard } from './request-guard.js';

export interface IngressOptions {
  primary: string;
  shadow: string;
  /** A second instance of the primary's version (A/A), for noise cancellation. */
  secondary?: string | undefined;
  run: string;
  mirrorPercent: number;
  mirrorMethods: readonly string[];
  shadowHostSuffix: string;
  shadowTimeoutMs: number;
  shadowMaxInFlight: number;
  /** Body bytes held for the pairs in flight at most (capture-budget.ts). */
  shadowMaxInFlightBytes: number;
  captureMaxBytes: number;
  primaryTimeoutMs: number;
  /** Which peers' forwarding headers are believed (--trust-proxy); none when absent. */
  trustProxy?: TrustProxy;
  /** Told why the primary failed; the client only gets a generic 502 or 504. */
  onPrimaryError?: (error: unknown) => void;
  /** Time a client has to send its whole request once its headers are in; past it, 408. */
  requestTimeoutMs: number;
  /** Time a client has to send its request headers (slowloris); past it, 408 and closed. */
  headersTimeoutMs: number;
  recorder: ExchangeRecorder;
  drops: DropCounter;
  /** Counters and latencies for the admin port; drops reach it through the DropCounter's onDrop. */
  metrics?: IngressMetrics | undefined;
  /** The HTTP server the handler runs on; the default one unless a benchmark compares them. */
  createServer?: ProxyServerFactory;
}

export interface IngressCounters {
  requests: number;
  mirrored: number;
  primaryErrors: number;
}

export interface IngressApp {
  server: ProxyServer;
  counters: IngressCounters;
  /** Shadow requests in flight now (for the metrics, read at scrape time). */
  shadowInFlight(): number;
  /** Stops accepting and finishes in-flight requests; connections are closed as they go idle. */
  close(): Promise<void>;
  /** Resolves when every pair started so far has been handed to the queue (or counted as dropped). */
  drain(): Promise<void>;
}

/** The pair's request as the primary gets it; the secondary and the record share its headers. */
interface PairRequest {
  req: IncomingMessage;
  method: string;
  url: string;
  headers: HeaderMap;
  receivedAt: number;
  /** A mirrored pair's share of the in-flight bytes; null when the request is not mirrored. */
  bytes: PairBytes | null;
}

/** What the mirrored side of a pair came to, once the request body is complete. */
type Mirror = { dropped: true } | { dropped: false; shadow: ShadowOutcome | null; secondary: ShadowOutcome | null };

interface PrimaryResult {
  response: CapturedResponse | null;
  failure: SkipReason | null;
  latencyMs: number;
}

function sendError(res: ServerResponse, status: 502 | 504, error: PrimaryUnreachableError | PrimaryTimeoutError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: status === 504 ? 'Gateway Timeout' : 'Bad Gateway', code: error.code, message: error.message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** How the client's request ended, as far as the pair is concerned (a request without a body was whole with its headers). */
function requestEndOf(req: IncomingMessage, withBody: boolean, guard: RequestGuard): RequestEnd {
  if (!withBody || req.complete) return 'whole';
  return guard.timedOut ? 'request_timeout' : 'client_aborted';
}

export function buildIngressApp(opts: IngressOptions): IngressApp {
  const primary = createUpstream(opts.primary);
  const client = (baseUrl: string) =>
    new ShadowClient({ baseUrl, timeoutMs: opts.shadowTimeoutMs, maxInFlight: opts.shadowMaxInFlight, captureMaxBytes: opts.captureMaxBytes });
  const shadow = client(opts.shadow);
  const secondary = opts.secondary ? client(opts.secondary) : null;
  const sample = createSampler(opts.mirrorMethods, opts.mirrorPercent);
  const counters: IngressCounters = { requests: 0, mirrored: 0, primaryErrors: 0 };
  const pending = new PendingPairs();
  const limit = opts.captureMaxBytes;
  const metrics = opts.metrics;
  const trustProxy = opts.trustProxy ?? compileTrustProxy(undefined);
  // Every capture of a mirrored pair counts here until the pair is queued or dropped.
  const budget = new CaptureBudget(opts.shadowMaxInFlightBytes);

  const observeShadow = (outcome: ShadowOutcome): ShadowOutcome => {
    if (outcome.response) metrics?.shadowLatencyMs('response', outcome.response.latencyMs);
    else metrics?.shadowLatencyMs('error', outcome.error.latencyMs);
    return outcome;
  };

  /**
   * Dispatch the mirrors: waits for the whole request body, then takes a shadow slot and sends the
   * copies. The slot is taken only now: a body still arriving (a slow client) holds no slot, only
   * its bytes in `budget`.
   */
  const dispatchMirrors = async (pair: PairRequest, body: RequestBodyTee | null): Promise<Mirror> => {
    // A body we did not receive or keep whole cannot be replayed: the pair is recorded as skipped.
    const usable = body ? (await body.done) && !body.truncated : true;
    if (usable && (pair.bytes?.overBudget || !shadow.tryAcquire())) {
      opts.drops.add(opts.run, 'shadow_in_flight_limit');
      return { dropped: true };
    }
    counters.mirrored++;
    metrics?.mirrored();
    if (!usable) return { dropped: false, shadow: null, secondary: null };
    const bytes = body ? body.bytes() : null;
    // The secondary is best effort: without a slot, the pair is compared without noise cancellation.
    const withSecondary = secondary !== null && secondary.tryAcquire();
    const shadowHeaders = destinationHeaders(pair.headers, shadowHost(pair.req.headers.host, opts.shadowHostSuffix), bytes);
    const sent = shadow.send({ method: pair.method, url: pair.url, headers: shadowHeaders, body: bytes, budget: pair.bytes });
    const [shadowOutcome, secondaryOutcome] = await Promise.all([
      metrics ? sent.then(observeShadow) : sent,
      // Same version as the primary: it gets the request exactly as the primary does.
      withSecondary ? secondary.send({ method: pair.method, url: pair.url, headers: pair.headers, body: bytes, budget: pair.bytes }) : null,
    ]);
    return { dropped: false, shadow: shadowOutcome, secondary: secondaryOutcome };
  };

  /** The primary failed before its response started: the client gets 502 or 504, the reason why stays in the logs. */
  const primaryFailed = (pair: PairRequest, res: ServerResponse, error: unknown): void => {
    counters.primaryErrors++;
    metrics?.primaryError();
    if ((error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT') {
      sendError(res, 504, new PrimaryTimeoutError(`the primary sent no response within ${opts.primaryTimeoutMs} ms`));
    } else {
      sendError(res, 502, new PrimaryUnreachableError('the primary could not be reached or failed'));
    }
    opts.onPrimaryError?.(error);
    if (!pair.req.complete) pair.req.resume();
  };

  /** Proxy the primary: sends the request and streams its answer to the client, the only path the client waits on. */
  const proxyPrimary = async (pair: PairRequest, res: ServerResponse, body: Readable | null, guard: RequestGuard): Promise<PrimaryResult> => {
    const started = performance.now();
    const gone = (): SkipReason => (guard.timedOut ? 'request_timeout' : guard.clientGone ? 'client_aborted' : 'primary_error');
    try {
      const upstream = await primary.pool.request({
        method: pair.method,
        path: primary.basePath + pair.url,
        headers: pair.headers,
        body,
        signal: guard.signal,
        headersTimeout: opts.primaryTimeoutMs,
        bodyTimeout: 0,
      });
      return await respond(upstream, res, guard, pair.bytes, started, gone);
    } catch (error) {
      // No response, or one node:http refused to send (a header it will not write): 502, 504 or the client's own end.
      const failure = gone();
      if (failure === 'primary_error') primaryFailed(pair, res, error);
      return { response: null, failure, latencyMs: performance.now() - started };
    }
  };

  /** The primary's response to the client, byte for byte, captured on the way when the pair is mirrored. */
  const respond = async (upstream: Dispatcher.ResponseData, res: ServerResponse, guard: RequestGuard, bytes: PairBytes | null, started: number, gone: () => SkipReason): Promise<PrimaryResult> => {
    if (guard.timedOut) {
      // The client was answered 408 while the primary's answer was on its way.
      upstream.body.destroy();
      return { response: null, failure: 'request_timeout', latencyMs: performance.now() - started };
    }
    const headers = withoutHopByHop(upstream.headers);
    // While stopping, no connection is kept alive for a next request that would never come.
    if (app.server.closing) res.shouldKeepAlive = false;
    try {
      res.writeHead(upstream.statusCode, headers);
    } catch (error) {
      upstream.body.destroy(); // its connection goes back to the pool, not left half read
      throw error;
    }
    const captured = bytes ? new BodyCapture(limit, bytes) : null;
    if (captured) upstream.body.on('data', (chunk: Buffer) => captured.push(chunk));
    guard.upstreamBody = upstream.body;
    // The primary or the client going away mid-body: the client has what the primary sent.
    const failure = (await forwardBody(upstream.body, res)) ? null : gone();
    const latencyMs = performance.now() - started;
    return { response: { status: upstream.statusCode, headers, body: captured ? captured.result() : EMPTY_BODY, latencyMs }, failure, latencyMs };
  };

  /** Assemble the exchange and hand it to the queue, once the mirrors are back; a dropped pair was counted already. */
  const recordPair = async (pair: PairRequest, body: RequestBodyTee | null, requestEnd: () => RequestEnd, mirrorDone: Promise<Mirror>, primaryResult: PrimaryResult): Promise<void> => {
    try {
      const mirror = await mirrorDone;
      if (mirror.dropped) return;
      // Some capture of the pair found no room in the in-flight bytes: it was not kept whole.
      if (pair.bytes?.overBudget) return opts.drops.add(opts.run, 'shadow_in_flight_limit');
      await recordMirrored(pair, body, requestEnd, mirror, primaryResult);
    } finally {
      pair.bytes?.release();
    }
  };

  const recordMirrored = async (pair: PairRequest, body: RequestBodyTee | null, requestEnd: () => RequestEnd, mirror: Extract<Mirror, { dropped: false }>, primaryResult: PrimaryResult): Promise<void> => {
    const exchange = assembleExchange({
      id: randomUUID(),
      run: opts.run,
      receivedAt: pair.receivedAt,
      request: { method: pair.method, url: pair.url, headers: pair.headers, body: body ? body.result() : EMPTY_BODY },
      requestEnd: requestEnd(),
      primary: primaryResult.response,
      primaryFailure: primaryResult.failure,
      primaryLatencyMs: primaryResult.latencyMs,
      shadow: mirror.shadow,
      secondary: mirror.secondary,
      hosts: sentHosts(pair.req.headers.host, opts.shadowHostSuffix),
    });
    await opts.recorder.record(exchange);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    counters.requests++;
    metrics?.request();
    const method = req.method ?? 'GET';
    // Decide the mirror, then tee the body: a mirrored body is captured while it streams to the primary.
    const mirrored = sample(method);
    const pair: PairRequest = { req, method, url: req.url ?? '/', headers: upstreamHeaders(req, trustProxy), receivedAt: Date.now(), bytes: mirrored ? new PairBytes(budget) : null };
    const withBody = hasBody(req.headers);
    const body = pair.bytes && withBody ? new RequestBodyTee(req, limit, pair.bytes) : null;
    const guard = new RequestGuard(req, res, { withBody, timeoutMs: opts.requestTimeoutMs }, () => body?.abort(new Error('request timeout')));
    const mirrorDone = mirrored ? dispatchMirrors(pair, body) : null;
    void proxyPrimary(pair, res, body ? body.stream : withBody ? req : null, guard).then((primaryResult) => {
      // Every request, mirrored or not: to the last byte, or to the failure answered instead.
      metrics?.primaryLatencyMs(primaryResult.latencyMs);
      // The client has its response; the rest happens out of band.
      if (mirrorDone) pending.track(recordPair(pair, body, () => requestEndOf(req, withBody, guard), mirrorDone, primaryResult));
    });
  };

  const app = serveIngress(opts, handle, { counters, pending, shadow, clients: () => [primary.pool.close(), shadow.close(), secondary?.close()] });
  return app;
}

/** What both modes' apps are made of besides their handler. */
export interface IngressParts {
  counters: IngressCounters;
  pending: PendingPairs;
  shadow: ShadowClient;
  /** Closes the upstream clients. */
  clients: () => readonly (Promise<unknown> | undefined)[];
}

/** The app around a handler: when it stops, the pairs in flight finish, then the upstream clients close. */
export function serveIngress(opts: Pick<IngressOptions, 'createServer' | 'headersTimeoutMs'>, handle: ProxyHandler, parts: IngressParts): IngressApp {
  const { counters, pending, shadow } = parts;
  const server = (opts.createServer ?? createProxyServer)(handle, async () => {
    await pending.drain();
    await Promise.allSettled(parts.clients());
  }, { headersTimeoutMs: opts.headersTimeoutMs });
  return {
    server,
    counters,
    shadowInFlight: () => shadow.inFlight,
    close: () => server.close(),
    drain: () => pending.drain(),
  };
}
