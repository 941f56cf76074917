/**
 * Sends the mirrored copy to the shadow: bounded in flight, timed out as a whole, body captured up
 * to the limit. It never throws; every failure becomes a ShadowError with a stable code.
 */
import type { HeaderMap } from '../http/headers.js';
import type { CapturedResponse, ShadowError, ShadowErrorCode } from '../exchange/exchange.js';
import { BodyCapture } from '../http/body-capture.js';
import type { ByteBudget } from '../http/capture-budget.js';
import { withoutHopByHop } from '../http/hop-by-hop.js';
import { createUpstream, type Upstream } from '../http/upstream.js';

export interface ShadowRequest {
  method: string;
  /** Path and query as the client sent it. */
  url: string;
  headers: HeaderMap;
  body: Buffer | null;
  /** Where the response's captured bytes are counted (the pair's share of the in-flight bytes). */
  budget?: ByteBudget | null;
}

export type ShadowOutcome = { response: CapturedResponse; error: null } | { response: null; error: ShadowError };

export interface ShadowClientOptions {
  baseUrl: string;
  timeoutMs: number;
  maxInFlight: number;
  captureMaxBytes: number;
}

export function classifyShadowError(error: unknown, timedOut: boolean): ShadowErrorCode {
  if (timedOut) return 'timeout';
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connection_reset';
  // undici's HTTPParserError carries no code (llhttp's is in `data`): its name says it.
  if (code.startsWith('HPE_') || (error as Error | null)?.name === 'HTTPParserError' || code === 'UND_ERR_RESPONSE_STATUS_CODE' || code === 'UND_ERR_INVALID_ARG') {
    return 'invalid_response';
  }
  return 'error';
}

export class ShadowClient {
  private readonly upstream: Upstream;
  private inFlightCount = 0;

  constructor(private readonly opts: ShadowClientOptions) {
    this.upstream = createUpstream(opts.baseUrl, { connections: opts.maxInFlight });
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Takes a slot; false when the bound is reached (the caller drops the pair). */
  tryAcquire(): boolean {
    if (this.inFlightCount >= this.opts.maxInFlight) return false;
    this.inFlightCount++;
    return true;
  }

  /** Gives back a slot taken with tryAcquire when nothing is sent after all. */
  release(): void {
    this.inFlightCount--;
  }

  /** Sends on a slot taken with tryAcquire, and gives it back. */
  async send(req: ShadowRequest): Promise<ShadowOutcome> {
    const started = performance.now();
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      const res = await this.upstream.pool.request({
        method: req.method,
        path: this.upstream.basePath + req.url,
        headers: req.headers,
        body: req.body,
        signal,
      });
      const capture = new BodyCapture(this.opts.captureMaxBytes, req.budget ?? null);
      for await (const chunk of res.body) {
        capture.push(chunk as Buffer);
        // Leaving the loop destroys the body: no need to read the rest (the pair is skipped or dropped).
        if (capture.truncated || capture.overBudget) break;
      }
      return {
        response: { status: res.statusCode, headers: withoutHopByHop(res.headers), body: capture.result(), latencyMs: performance.now() - started },
        error: null,
      };
    } catch (error) {
      const code = classifyShadowError(error, signal.aborted);
      const message = code === 'timeout' ? `no complete response within ${this.opts.timeoutMs} ms` : (error as Error).message || String(error);
      return { response: null, error: { code, message, latencyMs: performance.now() - started } };
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    await this.upstream.pool.close();
  }
}
