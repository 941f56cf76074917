/**
 * The ingress: a reverse proxy in front of the primary that mirrors a sample of the traffic to the
 * shadow. The client waits on the primary only; the shadow, the queue and the store are out of band.
 * No parsing or diffing happens here: bodies are captured as bytes and handed to the queue.
 */
import { randomUUID } from 'node:crypto';
import { METHODS, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { BodyCapture, EMPTY_BODY } from '../../libs/capture/body-capture.js';
import type { DropCounter } from '../../libs/capture/drop-counter.js';
import type { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import { withoutHopByHop } from '../../libs/capture/hop-by-hop.js';
import { stripReportCookies } from '../../libs/capture/report-cookie.js';
import { createSampler } from '../../libs/capture/sampler.js';
import { ShadowClient, type ShadowOutcome } from '../../libs/capture/shadow-client.js';
import { shadowHost } from '../../libs/capture/shadow-host.js';
import { createUpstream } from '../../libs/capture/upstream.js';
import { closeGracefully } from '../../libs/lifecycle/close-gracefully.js';
import type { ErrorCode } from '../../libs/errors.js';
import type { CapturedBody, CapturedResponse, HeaderMap, SkipReason } from '../../libs/types/exchange.js';
import type { IngressMetrics } from './ingress-metrics.js';

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
  captureMaxBytes: number;
  primaryTimeoutMs: number;
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

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Headers for an upstream request: hop-by-hop and the report's session cookie removed, X-Forwarded-* added. */
function upstreamHeaders(req: IncomingMessage): HeaderMap {
  const headers = withoutHopByHop(req.headers);
  stripReportCookies(headers);
  // undici does not support Expect: 100-continue, and node:http already answered it.
  delete headers.expect;
  const remote = req.socket.remoteAddress ?? '';
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${remote}` : remote;
  headers['x-forwarded-proto'] ??= 'http';
  return headers;
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
  let closing = false;

  const observeShadow = (outcome: ShadowOutcome): ShadowOutcome => {
    if (outcome.response) metrics?.shadowLatencyMs('response', outcome.response.latencyMs);
    else metrics?.shadowLatencyMs('error', outcome.error.latencyMs);
    return outcome;
  };

  const app = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true });
  // Leave every body unread: it streams to the primary as it arrives, whatever its size.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  // Proxy every method node:http parses (WebDAV and the like included), CONNECT aside.
  for (const m of METHODS) {
    if (m !== 'CONNECT' && !app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
  }

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
      const url = req.url ?? '/';
      const receivedAt = Date.now();
      const headers = upstreamHeaders(req);
      const withBody = hasBody(req.headers);

      let mirrored = sample(method);
      if (mirrored && !shadow.tryAcquire()) {
        opts.drops.add(opts.run, 'shadow_in_flight_limit');
        mirrored = false;
      }
      if (mirrored) {
        counters.mirrored++;
        metrics?.mirrored();
      }

      // Mirrored: tee the request body into a capture while it streams to the primary.
      let primaryBody: Readable | null = withBody ? req : null;
      let requestCapture: BodyCapture | null = null;
      let requestDone: Promise<void> = Promise.resolve();
      if (mirrored && withBody) {
        requestCapture = new BodyCapture(limit);
        const capture = requestCapture;
        const tee = new PassThrough();
        requestDone = new Promise((resolve) => {
          req.on('data', (chunk: Buffer) => capture.push(chunk));
          req.once('end', resolve);
          req.once('close', resolve);
        });
        req.pipe(tee);
        primaryBody = tee;
      }

      let shadowOutcome: Promise<ShadowOutcome | null> = Promise.resolve(null);
      let secondaryOutcome: Promise<ShadowOutcome | null> = Promise.resolve(null);
      // The secondary is best effort: without a slot, the pair is compared without noise cancellation.
      const withSecondary = mirrored && secondary !== null && secondary.tryAcquire();
      if (mirrored) {
        const bodyUsable = requestDone.then(() => !(requestCapture?.truncated || (withBody && !req.complete)));
        if (withSecondary && secondary) {
          secondaryOutcome = bodyUsable.then((usable) => {
            if (!usable) {
              secondary.release();
              return null;
            }
            // Same version as the primary: it gets the request exactly as the primary does.
            return secondary.send({ method, url, headers, body: requestCapture ? requestCapture.bytes() : null });
          });
        }
        shadowOutcome = bodyUsable.then((usable) => {
          // A body we did not keep whole cannot be replayed to the shadow.
          if (!usable) {
            shadow.release();
            return null;
          }
          const shadowHeaders: HeaderMap = { ...headers };
          const host = shadowHost(req.headers.host, opts.shadowHostSuffix);
          if (host) shadowHeaders.host = host;
          const body = requestCapture ? requestCapture.bytes() : null;
          if (body) {
            delete shadowHeaders['transfer-encoding'];
            shadowHeaders['content-length'] = String(body.length);
          }
          const sent = shadow.send({ method, url, headers: shadowHeaders, body });
          return metrics ? sent.then(observeShadow) : sent;
        });
      }

      // Who went away first: a client that closes before its response is complete is an abort, not
      // a primary failure, whether it left before the primary answered or while the body streamed.
      let upstreamBody: Readable | null = null;
      let clientGone = false;
      res.once('close', () => {
        if (!res.writableFinished && !upstreamBody?.errored) clientGone = true;
      });

      const started = performance.now();
      let primaryResponse: CapturedResponse | null = null;
      let failure: SkipReason | null = null;
      try {
        const upstream: Dispatcher.ResponseData = await primary.pool.request({
          method,
          path: primary.basePath + url,
          headers,
          body: primaryBody,
          headersTimeout: opts.primaryTimeoutMs,
          bodyTimeout: 0,
        });
        const responseHeaders = withoutHopByHop(upstream.headers);
        // While stopping, no connection is kept alive for a next request that would never come.
        if (closing) res.shouldKeepAlive = false;
        res.writeHead(upstream.statusCode, responseHeaders);
        let responseCapture: BodyCapture | null = null;
        if (mirrored) {
          const capture = new BodyCapture(limit);
          responseCapture = capture;
          upstream.body.on('data', (chunk: Buffer) => capture.push(chunk));
        }
        upstreamBody = upstream.body;
        try {
          await pipeline(upstream.body, res);
        } catch {
          // The primary or the client went away mid-body: the client sees what the primary sent.
          failure = clientGone ? 'client_aborted' : 'primary_error';
          res.destroy();
        }
        primaryResponse = {
          status: upstream.statusCode,
          headers: responseHeaders,
          body: responseCapture ? responseCapture.result() : EMPTY_BODY,
          latencyMs: performance.now() - started,
        };
      } catch (error) {
        failure = clientGone ? 'client_aborted' : 'primary_error';
        if (!clientGone) {
          counters.primaryErrors++;
          metrics?.primaryError();
        }
        const code = (error as { code?: string }).code;
        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          sendError(res, 504, 'SD_ERR_PRIMARY_TIMEOUT', `the primary sent no response within ${opts.primaryTimeoutMs} ms`);
        } else {
          sendError(res, 502, 'SD_ERR_PRIMARY_UNREACHABLE', `the primary failed: ${(error as Error).message}`);
        }
        if (!req.complete) req.resume();
      }
      // Every request, mirrored or not: to the last byte, or to the failure answered instead.
      const primaryMs = primaryResponse?.latencyMs ?? performance.now() - started;
      metrics?.primaryLatencyMs(primaryMs);

      if (!mirrored) return;
      const requestBody: CapturedBody = requestCapture ? requestCapture.result() : EMPTY_BODY;
      const primarySnapshot = primaryResponse;
      // The client has its response; the rest happens out of band.
      const done = Promise.all([shadowOutcome, secondaryOutcome]).then(async ([outcome, secondaryResult]) => {
        let skipReason: SkipReason | null = failure;
        if (!skipReason && withBody && !req.complete) skipReason = 'client_aborted';
        if (!skipReason && requestBody.truncated) skipReason = 'request_body_too_large';
        if (!skipReason && primarySnapshot?.body.truncated) skipReason = 'primary_body_too_large';
        if (!skipReason && outcome?.response?.body.truncated) skipReason = 'shadow_body_too_large';
        // A secondary body over the limit cannot say what is noise: compare without it.
        const usableSecondary = secondaryResult?.response?.body.truncated ? null : secondaryResult;
        await opts.recorder.record({
          id: randomUUID(),
          run: opts.run,
          receivedAt,
          request: { method, url, headers, body: requestBody },
          primary: primarySnapshot ?? { status: 0, headers: {}, body: EMPTY_BODY, latencyMs: primaryMs },
          shadow: outcome?.response ?? null,
          shadowError: outcome?.error ?? null,
          ...(withSecondary ? { secondary: usableSecondary?.response ?? null, secondaryError: usableSecondary?.error ?? null } : {}),
          skipReason,
        });
      });
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
