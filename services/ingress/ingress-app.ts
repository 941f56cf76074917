/**
 * The ingress: a reverse proxy in front of the primary that mirrors a sample of the traffic to the
 * shadow. The client waits on the primary only; the shadow, the queue and the store are out of band.
 * No parsing or diffing happens here: bodies are captured as bytes and handed to the queue.
 */
import { randomUUID } from 'node:crypto';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { BodyCapture, EMPTY_BODY } from '../../libs/capture/body-capture.js';
import { CaptureBudget, PairBytes } from '../../libs/capture/capture-budget.js';
import type { DropCounter } from '../../libs/capture/drop-counter.js';
import type { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import { compileTrustProxy, type TrustProxy } from '../../libs/capture/forwarding.js';
import { withoutHopByHop } from '../../libs/capture/hop-by-hop.js';
import { RequestBodyTee } from '../../libs/capture/request-body-tee.js';
import { createSampler } from '../../libs/capture/sampler.js';
import { ShadowClient, type ShadowOutcome } from '../../libs/capture/shadow-client.js';
import { sentHosts, shadowHost } from '../../libs/capture/shadow-host.js';
import { createUpstream } from '../../libs/capture/upstream.js';
import { hasBody, upstreamHeaders } from '../../libs/capture/upstream-headers.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { ErrorCode } from '../../libs/errors.js';
import type { CapturedBody, CapturedResponse, HeaderMap, SkipReason } from '../../libs/types/exchange.js';
import type { IngressMetrics } from './ingress-metrics.js';
import { RequestGuard } from './request-guard.js';
import { serverTimeouts } from '../../libs/http/server-timeouts.js';

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
}

export interface IngressCounters {
  requests: number;
  mirrored: number;
  primaryErrors: number;
}

export interface IngressApp {
  app: FastifyInstance;
  counters: IngressCounters;
  /** Shadow requests in flight now (for the metrics, read at scrape time). */
  shadowInFlight(): number;
  /** Stops accepting and finishes in-flight requests; connections are closed as they go idle. */
  close(): Promise<void>;
  /** Resolves when every pair started so far has been handed to the queue (or counted as dropped). */
  drain(): Promise<void>;
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: status === 504 ? 'Gateway Timeout' : 'Bad Gateway', code, message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function buildIngressApp(opts: IngressOptions): IngressApp {
  const primary = createUpstream(opts.primary);
  const shadow = new ShadowClient({
    baseUrl: opts.shadow,
    timeoutMs: opts.shadowTimeoutMs,
    maxInFlight: opts.shadowMaxInFlight,
    captureMaxBytes: opts.captureMaxBytes,
  });
  const secondary = opts.secondary
    ? new ShadowClient({ baseUrl: opts.secondary, timeoutMs: opts.shadowTimeoutMs, maxInFlight: opts.shadowMaxInFlight, captureMaxBytes: opts.captureMaxBytes })
    : null;
  const sample = createSampler(opts.mirrorMethods, opts.mirrorPercent);
  const counters: IngressCounters = { requests: 0, mirrored: 0, primaryErrors: 0 };
  const pending = new Set<Promise<void>>();
  const limit = opts.captureMaxBytes;
  const metrics = opts.metrics;
  const trustProxy = opts.trustProxy ?? compileTrustProxy(undefined);
  // Every capture of a mirrored pair counts here until the pair is queued or dropped.
  const budget = new CaptureBudget(opts.shadowMaxInFlightBytes);
  let closing = false;

  const observeShadow = (outcome: ShadowOutcome): ShadowOutcome => {
    if (outcome.response) metrics?.shadowLatencyMs('response', outcome.response.latencyMs);
    else metrics?.shadowLatencyMs('error', outcome.error.latencyMs);
    return outcome;
  };

  const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true, http: serverTimeouts(opts.headersTimeoutMs) });
  // Leave every body unread: it streams to the primary as it arrives, whatever its size.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  // Proxy every method node:http parses (WebDAV and the like included), CONNECT aside.
  for (const m of METHODS) {
    if (m !== 'CONNECT' && !app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
  }

  /** The pair's request as both sides get it. */
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
  type Mirror =
    | { dropped: true }
    | { dropped: false; shadow: ShadowOutcome | null; secondary: ShadowOutcome | null; withSecondary: boolean };

  /**
   * Waits for the whole request body, then takes a shadow slot and sends the copies. The slot is
   * taken only now: a body still arriving (a slow client) holds no slot, only its bytes in `budget`.
   */
  const sendMirror = async (pair: PairRequest, body: RequestBodyTee | null): Promise<Mirror> => {
    // A body we did not receive or keep whole cannot be replayed: the pair is recorded as skipped.
    const usable = body ? (await body.done) && !body.truncated : true;
    if (usable && (pair.bytes?.overBudget || !shadow.tryAcquire())) {
      opts.drops.add(opts.run, 'shadow_in_flight_limit');
      return { dropped: true };
    }
    counters.mirrored++;
    metrics?.mirrored();
    if (!usable) return { dropped: false, shadow: null, secondary: null, withSecondary: false };
    const bytes = body ? body.bytes() : null;
    // The secondary is best effort: without a slot, the pair is compared without noise cancellation.
    const withSecondary = secondary !== null && secondary.tryAcquire();
    const [shadowOutcome, secondaryOutcome] = await Promise.all([
      sendShadow(pair, bytes),
      // Same version as the primary: it gets the request exactly as the primary does.
      withSecondary ? secondary.send({ method: pair.method, url: pair.url, headers: pair.headers, body: bytes, budget: pair.bytes }) : null,
    ]);
    return { dropped: false, shadow: shadowOutcome, secondary: secondaryOutcome, withSecondary };
  };

  const sendShadow = (pair: PairRequest, body: Buffer | null): Promise<ShadowOutcome> => {
    const shadowHeaders: HeaderMap = { ...pair.headers };
    const host = shadowHost(pair.req.headers.host, opts.shadowHostSuffix);
    if (host) shadowHeaders.host = host;
    if (body) {
      delete shadowHeaders['transfer-encoding'];
      shadowHeaders['content-length'] = String(body.length);
    }
    const sent = shadow.send({ method: pair.method, url: pair.url, headers: shadowHeaders, body, budget: pair.bytes });
    return metrics ? sent.then(observeShadow) : sent;
  };

  interface PrimaryResult {
    response: CapturedResponse | null;
    failure: SkipReason | null;
    latencyMs: number;
  }

  /** Sends the request to the primary and streams its answer to the client: the only path the client waits on. */
  const proxyToPrimary = async (pair: PairRequest, res: ServerResponse, body: Readable | null, guard: RequestGuard): Promise<PrimaryResult> => {
    const started = performance.now();
    const gone = (): SkipReason => (guard.timedOut ? 'request_timeout' : guard.clientGone ? 'client_aborted' : 'primary_error');
    try {
      const upstream: Dispatcher.ResponseData = await primary.pool.request({
        method: pair.method,
        path: primary.basePath + pair.url,
        headers: pair.headers,
        body,
        signal: guard.signal,
        headersTimeout: opts.primaryTimeoutMs,
        bodyTimeout: 0,
      });
      if (guard.timedOut) {
        // The client was answered 408 while the primary's answer was on its way.
        upstream.body.destroy();
        return { response: null, failure: 'request_timeout', latencyMs: performance.now() - started };
      }
      const responseHeaders = withoutHopByHop(upstream.headers);
      // While stopping, no connection is kept alive for a next request that would never come.
      if (closing) res.shouldKeepAlive = false;
      res.writeHead(upstream.statusCode, responseHeaders);
      let responseCapture: BodyCapture | null = null;
      if (pair.bytes) {
        const c = new BodyCapture(limit, pair.bytes);
        responseCapture = c;
        upstream.body.on('data', (chunk: Buffer) => c.push(chunk));
      }
      guard.upstreamBody = upstream.body;
      let failure: SkipReason | null = null;
      try {
        await pipeline(upstream.body, res);
      } catch {
        // The primary or the client went away mid-body: the client sees what the primary sent.
        failure = gone();
        res.destroy();
      }
      const latencyMs = performance.now() - started;
      const response = { status: upstream.statusCode, headers: responseHeaders, body: responseCapture ? responseCapture.result() : EMPTY_BODY, latencyMs };
      return { response, failure, latencyMs };
    } catch (error) {
      const failure = gone();
      if (failure === 'primary_error') {
        counters.primaryErrors++;
        metrics?.primaryError();
        const code = (error as { code?: string }).code;
        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          sendError(res, 504, 'SD_ERR_PRIMARY_TIMEOUT', `the primary sent no response within ${opts.primaryTimeoutMs} ms`);
        } else {
          // The primary's address and the error stay in the logs: the client learns only the code.
          sendError(res, 502, 'SD_ERR_PRIMARY_UNREACHABLE', 'the primary could not be reached or failed');
        }
        opts.onPrimaryError?.(error);
        if (!pair.req.complete) pair.req.resume();
      }
      return { response: null, failure, latencyMs: performance.now() - started };
    }
  };

  /** Hands the finished pair to the queue, with the reason it cannot be compared if there is one. */
  const recordPair = async (pair: PairRequest, body: RequestBodyTee | null, guard: RequestGuard, mirrorDone: Promise<Mirror>, primaryResult: PrimaryResult): Promise<void> => {
    try {
      const mirror = await mirrorDone;
      if (mirror.dropped) return;
      // Some capture of the pair found no room in the in-flight bytes: it was not kept whole.
      if (pair.bytes?.overBudget) return opts.drops.add(opts.run, 'shadow_in_flight_limit');
      await recordMirrored(pair, body, guard, mirror, primaryResult);
    } finally {
      pair.bytes?.release();
    }
  };

  const recordMirrored = async (pair: PairRequest, body: RequestBodyTee | null, guard: RequestGuard, mirror: Extract<Mirror, { dropped: false }>, primaryResult: PrimaryResult): Promise<void> => {
    const requestBody: CapturedBody = body ? body.result() : EMPTY_BODY;
    const primarySnapshot = primaryResult.response;
    let skipReason: SkipReason | null = primaryResult.failure;
    if (!skipReason && body && !pair.req.complete) skipReason = guard.timedOut ? 'request_timeout' : 'client_aborted';
    if (!skipReason && requestBody.truncated) skipReason = 'request_body_too_large';
    if (!skipReason && primarySnapshot?.body.truncated) skipReason = 'primary_body_too_large';
    if (!skipReason && mirror.shadow?.response?.body.truncated) skipReason = 'shadow_body_too_large';
    // A secondary body over the limit cannot say what is noise: compare without it.
    const usableSecondary = mirror.secondary?.response?.body.truncated ? null : mirror.secondary;
    await opts.recorder.record({
      id: randomUUID(),
      run: opts.run,
      receivedAt: pair.receivedAt,
      request: { method: pair.method, url: pair.url, headers: pair.headers, body: requestBody },
      primary: primarySnapshot ?? { status: 0, headers: {}, body: EMPTY_BODY, latencyMs: primaryResult.latencyMs },
      shadow: mirror.shadow?.response ?? null,
      shadowError: mirror.shadow?.error ?? null,
      ...(mirror.withSecondary ? { secondary: usableSecondary?.response ?? null, secondaryError: usableSecondary?.error ?? null } : {}),
      hosts: sentHosts(pair.req.headers.host, opts.shadowHostSuffix),
      skipReason,
    });
  };

  app.route({
    method: METHODS.filter((m) => m !== 'CONNECT'),
    url: '*',
    handler: async (request, reply) => {
      counters.requests++;
      metrics?.request();
      const req = request.raw;
      const res = reply.raw;
      reply.hijack();
      const method = req.method ?? 'GET';
      const sampled = sample(method);
      const pair: PairRequest = { req, method, url: req.url ?? '/', headers: upstreamHeaders(req, trustProxy), receivedAt: Date.now(), bytes: sampled ? new PairBytes(budget) : null };
      const withBody = hasBody(req.headers);

      // Mirrored: the body is teed into a capture while it streams to the primary.
      const body = pair.bytes && withBody ? new RequestBodyTee(req, limit, pair.bytes) : null;
      const guard = new RequestGuard(req, res, { withBody, timeoutMs: opts.requestTimeoutMs }, () => body?.abort(new Error('request timeout')));
      const mirrorDone = sampled ? sendMirror(pair, body) : null;

      const primaryResult = await proxyToPrimary(pair, res, body ? body.stream : withBody ? req : null, guard);
      // Every request, mirrored or not: to the last byte, or to the failure answered instead.
      metrics?.primaryLatencyMs(primaryResult.latencyMs);
      if (!mirrorDone) return;
      // The client has its response; the rest happens out of band.
      const done = recordPair(pair, body, guard, mirrorDone, primaryResult);
      pending.add(done);
      void done.finally(() => pending.delete(done));
    },
  });

  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
    await Promise.allSettled([primary.pool.close(), shadow.close(), secondary?.close()]);
  });

  return {
    app,
    counters,
    shadowInFlight: () => shadow.inFlight,
    async close() {
      closing = true;
      await closeGracefully(app);
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
