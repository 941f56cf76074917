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
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import { ConfigInvalidError, ReplayInputError, RunExistsError } from '../../libs/errors.js';
import { createLogger } from '../../libs/logger.js';
import { createBullmqQueue } from '../../libs/queue/bullmq-queue.js';
import { createEmbeddedQueue } from '../../libs/queue/embedded-queue.js';
import type { JobQueue } from '../../libs/queue/queue.js';
import { toHar } from '../../libs/replay/formats/har-writer.js';
import { leftOutSummary } from '../../libs/replay/har-origin.js';
import { capturedExchanges, loadSource, type ReplaySource } from '../../libs/replay/replay-sources.js';
import { defaultReplayRun, replaySession } from '../../libs/replay/replay-session.js';
import { claimReplayRun, freeRunName, openStore, redactionKey, replaySourceName } from '../../libs/store/index.js';
import { startComparator } from '../comparator/comparator-service.js';
import { comparatorSettings } from './run-services.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';

export const REPLAY_EXIT = { ran: 0, usage: 2, unreachable: 3 } as const;

/** How long a replay waits for Redis before it gives up (exit 3). */
const REDIS_READY_TIMEOUT_MS = 5000;

/** The one source a replay reads: exactly one of --from-run, --har, --gor; else the flags are invalid. */
function sourceOf(config: ShadowDiffConfig): ReplaySource {
  const sources: ReplaySource[] = [
    ...(config.fromRun !== undefined ? [{ fromRun: config.fromRun }] : []),
    ...(config.har !== undefined ? [{ har: config.har }] : []),
    ...(config.gor !== undefined ? [{ gor: config.gor }] : []),
  ];
  if (sources.length !== 1) throw new ConfigInvalidError('give exactly one of --from-run RUN, --har FILE, --gor FILE');
  if (config.harOrigin !== undefined && config.har === undefined) throw new ConfigInvalidError('--har-origin: only with --har FILE');
  return sources[0] as ReplaySource;
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

export async function runReplayCommand(config: ShadowDiffConfig, io: Pick<CliIo, 'stdout' | 'stderr'> = PROCESS_IO): Promise<number> {
  const say = (line: string) => io.stderr(`${line}\n`);
  let source: ReplaySource;
  try {
    source = sourceOf(config);
  } catch (error) {
    // Said as it always was, without the code.
    if (error instanceof ConfigInvalidError) {
      say(`shadow-diff replay: ${error.message}`);
      return REPLAY_EXIT.usage;
    }
    throw error;
  }
  const candidate = config.candidate as string;
  const baseline = config.baseline;

  const store = await openStore(config.db);
  let queue: JobQueue | null = null;
  let comparator: { close(): Promise<void> } | null = null;
  try {
    const loaded = await loadSource('har' in source ? { ...source, origin: config.harOrigin } : source, store, config.replayLimit);
    const { exchanges, problems } = loaded;
    const leftOut = 'har' in source ? leftOutSummary(loaded.leftOut ?? []) : undefined;
    if (leftOut) sayLeftOut(say, loaded.origin ?? null, leftOut);
    for (const p of problems) say(`shadow-diff replay: skipped malformed record ${p.position}: ${p.message}`);
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
    const run = config.replayRun ?? (await freeRunName(store, defaultReplayRun()));
    await claimReplayRun(store, { name: run, source: replaySourceName(source), append: config.append, appendHint: '--append' });

    const logger = createLogger('warn', 'shadow-diff replay');
    if (config.redis) {
      queue = createBullmqQueue({ url: config.redis, prefix: config.queuePrefix, maxBacklog: config.queueMaxBacklog, maxBacklogBytes: config.queueMaxBacklogBytes, lockMs: config.jobLockMs });
      if (!(await queue.ready(REDIS_READY_TIMEOUT_MS))) {
        say(`shadow-diff replay: Redis at ${config.redis} is unreachable`);
        return REPLAY_EXIT.unreachable;
      }
    } else {
      // No Redis: compare in this process, straight into the store.
      queue = createEmbeddedQueue({ maxBacklog: Math.max(config.queueMaxBacklog, exchanges.length) });
      comparator = startComparator({ queue, store, concurrency: config.comparatorConcurrency, settings: comparatorSettings(config, await redactionKey(store)), logger });
    }

    const abort = new AbortController();
    const onSigint = () => {
      say('\nshadow-diff replay: stopping; what was sent is still compared');
      abort.abort();
    };
    process.once('SIGINT', onSigint);
    const bar = process.stderr.isTTY && !config.json ? new SingleBar({ format: 'replay {bar} {value}/{total} sent {sent} skipped {skipped}', stream: process.stderr }) : null;
    bar?.start(exchanges.length, 0, { sent: 0, skipped: 0 });
    const result = await replaySession({
      exchanges,
      candidate,
      baseline,
      run,
      rate: config.replayRate,
      concurrency: config.replayConcurrency,
      allowUnsafe: config.allowUnsafe,
      timeoutMs: config.replayTimeoutMs,
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
    if (config.json) io.stdout(`${JSON.stringify(leftOut ? { ...figures, leftOut } : figures)}\n`);
    return REPLAY_EXIT.ran;
  } catch (error) {
    if (error instanceof ReplayInputError || error instanceof RunExistsError) {
      say(`shadow-diff replay: ${error.code}: ${error.message}`);
      return REPLAY_EXIT.usage;
    }
    throw error;
  } finally {
    await comparator?.close();
    await queue?.close();
    await store.close();
  }
}

export async function runExportCommand(a: Pick<ShadowDiffConfig, 'db' | 'run' | 'har'>, io: Pick<CliIo, 'stderr'> = PROCESS_IO): Promise<number> {
  const store = await openStore(a.db);
  try {
    const exchanges = await capturedExchanges(store, a.run);
    if (exchanges.length === 0) {
      io.stderr(`shadow-diff export: run '${a.run}' has no captured exchanges\n`);
      return REPLAY_EXIT.usage;
    }
    const har = toHar(
      exchanges.map((e) => ({ request: e.request, response: e.response, startedAt: e.startedAt ?? Date.now(), origin: e.origin ?? 'http://localhost' })),
      { name: 'shadow-diff', version: '1' },
    );
    writeFileSync(a.har as string, `${JSON.stringify(har, null, 2)}\n`);
    io.stderr(`shadow-diff export: ${exchanges.length} exchanges of run '${a.run}' written to ${a.har}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
