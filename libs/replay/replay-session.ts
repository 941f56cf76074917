/**
 * One replay from start to its figures: replays the source, then waits until the comparator has
 * accounted for every published exchange, and sums the run up. Used by the CLI and the report API.
 */
import { summary, type Store } from '../store/index.js';
import { runReplay, type ReplayOptions, type ReplayProgress } from './replay-runner.js';

export interface ReplayResult {
  run: string;
  sent: number;
  compared: number;
  mismatched: number;
  mismatchRate: number;
  skipped: number;
  /** Candidate failures (5xx, timeouts, connection errors) plus exchanges that never reached the queue. */
  errors: number;
  durationMs: number;
}

export interface ReplaySessionOptions extends ReplayOptions {
  store: Store;
  /** How long to wait for the comparator after the last request. */
  settleTimeoutMs?: number;
}

/** How long a replay waits for the comparator after its last request, unless told otherwise. */
const SETTLE_TIMEOUT_MS = 60_000;

export function defaultReplayRun(now = new Date()): string {
  return `replay-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export async function replaySession(opts: ReplaySessionOptions): Promise<ReplayResult & { progress: ReplayProgress; settled: boolean }> {
  const started = performance.now();
  // An appended replay adds to what the run already holds: wait for this replay's exchanges, not the run's.
  const before = await summary(opts.store, opts.run);
  const progress = await runReplay(opts);
  const expected = before.compared + before.skipped + progress.published;
  const deadline = Date.now() + (opts.settleTimeoutMs ?? SETTLE_TIMEOUT_MS);
  let s = await summary(opts.store, opts.run);
  while (s.compared + s.skipped < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    s = await summary(opts.store, opts.run);
  }
  return {
    run: opts.run,
    sent: progress.sent,
    compared: s.compared,
    mismatched: s.mismatched,
    mismatchRate: s.mismatchRate,
    skipped: s.skipped,
    errors: s.shadowErrors + progress.lost,
    durationMs: Math.round(performance.now() - started),
    progress,
    settled: s.compared + s.skipped >= expected,
  };
}
