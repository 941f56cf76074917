/**
 * Replays recorded exchanges against a candidate and hands each pair to the comparison pipeline
 * (the same queue, comparator and store as live mirroring), under run `run` of kind `replay`.
 *
 * Baseline `recorded`: the candidate's response is compared with the recorded one. Baseline URL:
 * each request goes live to the baseline and to the candidate. Methods other than GET, HEAD and
 * OPTIONS are skipped and counted unless unsafe methods are allowed. `rate` holds a steady request
 * rate, `concurrency` bounds requests in flight; an abort stops sending and keeps what was sent.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { EMPTY_BODY } from '../http/body.js';
import { firstHeader } from '../http/headers.js';
import { replayHeaders } from '../http/upstream-headers.js';
import { ShadowClient, type ShadowOutcome } from '../capture/shadow-client.js';
import { JOB_CONTRACT_VERSION, JOB_NAMES } from '../exchange/contracts.js';
import type { JobPublisher } from '../queue/queue.js';
import type { HostEchoMode } from '../compare/host-echo.js';
import type { CapturedResponse, Exchange, SentHosts, SkipReason } from '../exchange/exchange.js';
import type { RecordedExchange } from './formats/recorded-exchange.js';

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ReplayOptions {
  exchanges: readonly RecordedExchange[];
  candidate: string;
  /** 'recorded' or the URL of a live baseline. */
  baseline: string;
  run: string;
  /** Requests per second; unlimited when absent. */
  rate?: number | undefined;
  concurrency: number;
  allowUnsafe: boolean;
  timeoutMs: number;
  captureMaxBytes: number;
  /** `off`: the exchanges carry no hosts, so the candidate's host echo is compared as sent. Default normalize. */
  hostEcho?: HostEchoMode | undefined;
  publisher: JobPublisher;
  signal?: AbortSignal | undefined;
  onProgress?: (p: ReplayProgress) => void;
}

export interface ReplayProgress {
  total: number;
  /** Requests sent to the candidate (and the baseline). */
  sent: number;
  skipped: number;
  /** Exchanges handed to the queue (compared or recorded as skipped there). */
  published: number;
  /** Exchanges that could not be handed to the queue. */
  lost: number;
}

/** Waits for the next send slot; an abort ends the wait early (and leaves no listener behind). */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') throw error;
  });
}

/** The Host the recording's request was sent with: its Host header, else its origin's. */
function recordedHost(rec: RecordedExchange): string | undefined {
  const header = firstHeader(rec.request.headers, 'host');
  if (header) return header;
  return rec.origin === null ? undefined : new URL(rec.origin).host;
}

export async function runReplay(opts: ReplayOptions): Promise<ReplayProgress> {
  const progress: ReplayProgress = { total: opts.exchanges.length, sent: 0, skipped: 0, published: 0, lost: 0 };
  // undici's Pool follows no redirect: a 3xx is recorded as the answer, so a replay never leaves the
  // target's origin (the report API's --replay-allow relies on it).
  const client = (url: string) => new ShadowClient({ baseUrl: url, timeoutMs: opts.timeoutMs, maxInFlight: opts.concurrency, captureMaxBytes: opts.captureMaxBytes });
  const candidate = client(opts.candidate);
  const liveBaseline = opts.baseline === 'recorded' ? null : client(opts.baseline);
  const candidateHost = new URL(opts.candidate).host;
  const baselineHost = liveBaseline ? new URL(opts.baseline).host : '';
  const report = () => opts.onProgress?.({ ...progress });

  async function publish(exchange: Exchange): Promise<void> {
    try {
      await opts.publisher.publish(JOB_NAMES.compareExchange, exchange.id, { v: JOB_CONTRACT_VERSION, exchange });
      progress.published++;
    } catch {
      progress.lost++;
    }
  }

  async function send(c: ShadowClient, rec: RecordedExchange, host: string): Promise<ShadowOutcome> {
    if (!c.tryAcquire()) throw new Error('concurrency bound exceeded'); // cannot happen: the pool bounds it
    const body = rec.request.body.bytes.length === 0 ? null : rec.request.body.bytes;
    return c.send({ method: rec.request.method, url: rec.request.url, headers: replayHeaders(rec.request.headers, host), body });
  }

  async function replayOne(rec: RecordedExchange): Promise<void> {
    const base = {
      id: randomUUID(),
      run: opts.run,
      runKind: 'replay' as const,
      receivedAt: Date.now(),
      request: rec.request,
    };
    const skip = async (reason: SkipReason) => {
      progress.skipped++;
      await publish({ ...base, primary: rec.response ?? { status: 0, headers: {}, body: EMPTY_BODY, latencyMs: 0 }, shadow: null, shadowError: null, skipReason: reason });
    };
    if (!opts.allowUnsafe && !SAFE_METHODS.has(rec.request.method)) return skip('unsafe_method');
    if (!liveBaseline && !rec.response) return skip('no_recorded_response');

    const [shadow, baseline] = await Promise.all([send(candidate, rec, candidateHost), liveBaseline ? send(liveBaseline, rec, baselineHost) : null]);
    progress.sent++;
    let primary: CapturedResponse;
    if (baseline) {
      if (!baseline.response) {
        // Without a baseline answer there is nothing to compare with.
        return publish({ ...base, primary: { status: 0, headers: {}, body: EMPTY_BODY, latencyMs: baseline.error.latencyMs }, shadow: shadow.response, shadowError: shadow.error, skipReason: 'primary_error' });
      }
      primary = baseline.response;
    } else {
      primary = rec.response as CapturedResponse;
    }
    const skipReason: SkipReason | null = primary.body.truncated ? 'primary_body_too_large' : shadow.response?.body.truncated ? 'shadow_body_too_large' : null;
    // The candidate (and a live baseline) build URLs from the Host they are sent: record both for the comparison.
    const hosts: SentHosts | undefined = opts.hostEcho === 'off' ? undefined : { primary: liveBaseline ? baselineHost : recordedHost(rec), shadow: candidateHost };
    const primaryContent = liveBaseline ? undefined : rec.content;
    await publish({ ...base, primary, shadow: shadow.response, shadowError: shadow.error, skipReason, hosts, primaryContent });
  }

  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  try {
    for (let i = 0; i < opts.exchanges.length; i++) {
      if (opts.signal?.aborted) break;
      if (opts.rate) await sleep(started + (i * 1000) / opts.rate - performance.now(), opts.signal);
      while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
      if (opts.signal?.aborted) break;
      const p: Promise<void> = replayOne(opts.exchanges[i] as RecordedExchange)
        .catch(() => {
          progress.lost++;
        })
        .finally(() => {
          inFlight.delete(p);
          report();
        });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled([candidate.close(), liveBaseline?.close()]);
  }
  report();
  return progress;
}
