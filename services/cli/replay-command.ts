/**
 * `shadow-diff replay` and `shadow-diff export`: captured traffic against a candidate, through the
 * same comparison pipeline as live mirroring, into a run of kind `replay`.
 *
 * Exit codes: 0 the replay ran (whatever it found: gating is `shadow-diff gate`'s job),
 * 2 bad arguments or an unusable input file, 3 the candidate (or baseline) is unreachable.
 */
import { writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { connect } from 'node:net';
import { loadConfig } from '../../libs/config/load-config.js';
import type { ErrorCode } from '../../libs/errors.js';
import { createLogger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { ReplayInputError } from '../../libs/replay/formats/errors.js';
import { toHar } from '../../libs/replay/formats/har-writer.js';
import { leftOutSummary } from '../../libs/replay/har-origin.js';
import { capturedExchanges, loadSource, type ReplaySource } from '../../libs/replay/replay-sources.js';
import { defaultReplayRun, replaySession } from '../../libs/replay/replay-session.js';
import { openStore } from '../../libs/store/index.js';
import { startComparator } from '../comparator/comparator-service.js';
import { comparatorSettings } from './run-services.js';

export const REPLAY_EXIT = { ran: 0, usage: 2, unreachable: 3 } as const;

export interface ReplayArgs {
  db: string;
  fromRun?: string | undefined;
  har?: string | undefined;
  gor?: string | undefined;
  candidate: string;
  baseline: string;
  run?: string | undefined;
  rate?: string | undefined;
  concurrency: string;
  limit?: string | undefined;
  timeout: string;
  allowUnsafe: boolean;
  json: boolean;
  redis?: string | undefined;
  queuePrefix?: string | undefined;
  config?: string | undefined;
  hostEcho?: string | undefined;
  harOrigin?: string | undefined;
}

class UsageError extends Error {}

function positive(flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: must be a positive ${integer ? 'whole number' : 'number'}, got '${raw}'`);
  }
  return n;
}

function httpUrl(flag: string, raw: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through
  }
  throw new UsageError(`${flag}: must be an http(s) URL, got '${raw}'`);
}

/** A TCP connect: enough to tell an unreachable target, and no request the target would see. */
async function reachable(url: string): Promise<string | null> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(5000, () => done('connect timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** What a HAR replay left out, on stderr: websockets and the entries of other origins. */
function sayLeftOut(say: (line: string) => void, origin: string | null, leftOut: ReturnType<typeof leftOutSummary>): void {
  const others = Object.entries(leftOut.otherOrigins);
  if (others.length > 0) {
    const list = others.map(([o, n]) => `${o} (${n})`).join(', ');
    say(`shadow-diff replay: replaying the entries of ${origin ?? 'no origin'}; left out those of ${list} (pick one with --har-origin)`);
  }
  if (leftOut.websocket > 0) say(`shadow-diff replay: left out ${leftOut.websocket} websocket entr${leftOut.websocket === 1 ? 'y' : 'ies'}`);
}

export async function runReplayCommand(a: ReplayArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let sources: ReplaySource[];
  let candidate: string;
  let baseline: string;
  let rate: number | undefined;
  let concurrency: number;
  let limit: number | undefined;
  let timeoutMs: number;
  try {
    sources = [
      ...(a.fromRun !== undefined ? [{ fromRun: a.fromRun }] : []),
      ...(a.har !== undefined ? [{ har: a.har }] : []),
      ...(a.gor !== undefined ? [{ gor: a.gor }] : []),
    ];
    if (sources.length !== 1) throw new UsageError('give exactly one of --from-run RUN, --har FILE, --gor FILE');
    if (a.harOrigin !== undefined && a.har === undefined) throw new UsageError('--har-origin: only with --har FILE');
    candidate = httpUrl('--candidate', a.candidate);
    baseline = a.baseline === 'recorded' ? 'recorded' : httpUrl('--baseline', a.baseline);
    rate = positive('--rate', a.rate, false);
    concurrency = positive('--concurrency', a.concurrency, true) as number;
    limit = positive('--limit', a.limit, true);
    timeoutMs = positive('--timeout', a.timeout, true) as number;
    if (a.run !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(a.run)) throw new UsageError(`--run: not a run name: '${a.run}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      say(`shadow-diff replay: ${error.message}`);
      return REPLAY_EXIT.usage;
    }
    throw error;
  }

  // The configuration file brings the comparison rules and redaction for the in-process comparator.
  const config = loadConfig({ flags: { db: a.db, redis: a.redis, queuePrefix: a.queuePrefix, logLevel: 'warn', hostEcho: a.hostEcho, harOrigin: a.harOrigin }, env: {}, configFile: a.config });
  const store = openStore(config.db);
  let queue: JobQueue | null = null;
  let comparator: { close(): Promise<void> } | null = null;
  try {
    const source = sources[0] as ReplaySource;
    const loaded = await loadSource('har' in source ? { ...source, origin: config.harOrigin } : source, store, limit);
    const { exchanges, problems } = loaded;
    for (const p of problems) say(`shadow-diff replay: skipped malformed record ${p.position}: ${p.message}`);
    const leftOut = 'har' in source ? leftOutSummary(loaded.leftOut ?? []) : undefined;
    if (leftOut) sayLeftOut(say, loaded.origin ?? null, leftOut);
    if (exchanges.length === 0) {
      say('shadow-diff replay: the input holds no replayable exchange');
      return REPLAY_EXIT.usage;
    }
    for (const [name, url] of [['candidate', candidate], ...(baseline !== 'recorded' ? [['baseline', baseline]] : [])] as [string, string][]) {
      const problem = await reachable(url);
      if (problem) {
        say(`shadow-diff replay: the ${name} ${url} is unreachable (${problem})`);
        return REPLAY_EXIT.unreachable;
      }
    }

    const logger = createLogger('warn', 'shadow-diff replay');
    if (config.redis) {
      queue = createBullmqQueue({ url: config.redis, prefix: config.queuePrefix, maxBacklog: config.queueMaxBacklog, lockMs: config.jobLockMs });
      if (!(await queue.ready(5000))) {
        say(`shadow-diff replay: Redis at ${config.redis} is unreachable`);
        return REPLAY_EXIT.unreachable;
      }
    } else {
      // No Redis: compare in this process, straight into the store.
      queue = createEmbeddedQueue({ maxBacklog: Math.max(config.queueMaxBacklog, exchanges.length) });
      comparator = startComparator({ queue, store, concurrency: 2, settings: comparatorSettings(config), logger });
    }

    const run = a.run ?? defaultReplayRun();
    const abort = new AbortController();
    const onSigint = () => {
      say('\nshadow-diff replay: stopping; what was sent is still compared');
      abort.abort();
    };
    process.once('SIGINT', onSigint);
    const bar = process.stderr.isTTY && !a.json ? new SingleBar({ format: 'replay {bar} {value}/{total} sent {sent} skipped {skipped}', stream: process.stderr }) : null;
    bar?.start(exchanges.length, 0, { sent: 0, skipped: 0 });
    const result = await replaySession({
      exchanges,
      candidate,
      baseline,
      run,
      rate,
      concurrency,
      allowUnsafe: a.allowUnsafe,
      timeoutMs,
      captureMaxBytes: config.captureMaxBytes,
      hostEcho: config.hostEcho,
      publisher: queue.publisher,
      store,
      signal: abort.signal,
      onProgress: (p) => bar?.update(p.sent + p.skipped + p.lost, { sent: p.sent, skipped: p.skipped }),
    });
    bar?.stop();
    process.off('SIGINT', onSigint);
    if (!result.settled) say('shadow-diff replay: the comparator has not accounted for every exchange yet; the report will catch up');
    const { progress: _progress, settled: _settled, ...figures } = result;
    say(
      `replay ${figures.run}: sent ${figures.sent}, compared ${figures.compared}, mismatched ${figures.mismatched} ` +
        `(${(figures.mismatchRate * 100).toFixed(2)}%), skipped ${figures.skipped}, errors ${figures.errors} in ${(figures.durationMs / 1000).toFixed(1)} s`,
    );
    if (a.json) process.stdout.write(`${JSON.stringify(leftOut ? { ...figures, leftOut } : figures)}\n`);
    return REPLAY_EXIT.ran;
  } catch (error) {
    if (error instanceof ReplayInputError) {
      say(`shadow-diff replay: ${'SD_ERR_REPLAY_INPUT' satisfies ErrorCode}: ${error.message}`);
      return REPLAY_EXIT.usage;
    }
    throw error;
  } finally {
    await comparator?.close();
    await queue?.close();
    store.close();
  }
}

export function runExportCommand(a: { db: string; run: string; har: string }): number {
  const store = openStore(a.db);
  try {
    const exchanges = capturedExchanges(store, a.run);
    if (exchanges.length === 0) {
      process.stderr.write(`shadow-diff export: run '${a.run}' has no captured exchanges\n`);
      return REPLAY_EXIT.usage;
    }
    const har = toHar(
      exchanges.map((e) => ({ request: e.request, response: e.response, startedAt: e.startedAt ?? Date.now(), origin: e.origin ?? 'http://localhost' })),
      { name: 'shadow-diff', version: '1' },
    );
    writeFileSync(a.har, `${JSON.stringify(har, null, 2)}\n`);
    process.stderr.write(`shadow-diff export: ${exchanges.length} exchanges of run '${a.run}' written to ${a.har}\n`);
    return 0;
  } finally {
    store.close();
  }
}
