/**
 * Replays started over HTTP: POST /api/v1/replays → 202 { id, run }; GET /api/v1/replays/:id →
 * status and progress. A replay runs in the report API's process and publishes to its queue.
 */
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { errorResponse, replayBody, replayParams, replayStarted, replayState, type ReplayState } from '../../libs/api/index.js';
import { defaultValue } from '../../libs/config/load-config.js';
import type { JobPublisher } from '../../libs/queue/queue.js';
import { capturedExchanges } from '../../libs/replay/replay-sources.js';
import { defaultReplayRun, replaySession } from '../../libs/replay/replay-session.js';
import { RunExistsError } from '../../libs/errors.js';
import { claimReplayRun, freeRunName, replaySourceName, type Store } from '../../libs/store/index.js';
import { badParameter, notFound } from './http-errors.js';
import { writtenAsHttpUrl } from '../../libs/values/url.js';
import { checkReplayTarget, ReplaySlots, type ReplayTargetPolicy } from './replay-targets.js';

export interface ReplayRoutesOptions {
  store: Store;
  publisher: JobPublisher;
  captureMaxBytes: number;
  /** Where replays may go and how many at once. */
  targets: ReplayTargetPolicy;
}

/** The option table's defaults and bounds, the same as the CLI's. */
const DEFAULT_CONCURRENCY = defaultValue('replayConcurrency') as number;
const TIMEOUT_MS = defaultValue('replayTimeoutMs') as number;
const DEFAULT_BASELINE = defaultValue('baseline') as string;

/** Finished replays kept for GET; the oldest are forgotten first. */
const MAX_KEPT = 100;

export const replayRoutes: FastifyPluginAsync<ReplayRoutesOptions> = async (plain, opts) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const replays = new Map<string, ReplayState>();
  const aborts = new Set<AbortController>();
  const slots = new ReplaySlots(opts.targets.maxConcurrent);
  app.addHook('onClose', async () => {
    for (const a of aborts) a.abort();
  });

  app.post(
    '/replays',
    {
      schema: {
        summary: 'Replay a captured run against a candidate; results land in a replay run',
        body: replayBody,
        response: { 202: replayStarted, 400: errorResponse, 403: errorResponse, 409: errorResponse, 429: errorResponse },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.baseline !== undefined && b.baseline !== 'recorded' && !writtenAsHttpUrl(b.baseline)) throw badParameter('baseline', "must be 'recorded' or an http(s) URL");
      checkReplayTarget(opts.targets, 'candidate', b.candidate);
      if (b.baseline !== undefined && b.baseline !== 'recorded') checkReplayTarget(opts.targets, 'baseline', b.baseline);
      const exchanges = await capturedExchanges(opts.store, b.fromRun);
      if (exchanges.length === 0) throw badParameter('fromRun', `run '${b.fromRun}' has no captured exchanges`);
      const release = slots.take();
      let run: string;
      try {
        run = b.run ?? (await freeRunName(opts.store, defaultReplayRun()));
        await claimReplayRun(opts.store, { name: run, source: replaySourceName({ fromRun: b.fromRun }), append: b.append ?? false, appendHint: '"append": true' });
      } catch (error) {
        release();
        if (error instanceof RunExistsError) throw new RunExistsError(error.message, { parameter: 'run', cause: error });
        throw error;
      }
      const state: ReplayState = {
        id: randomUUID(),
        run,
        status: 'running',
        startedAt: new Date().toISOString(),
        progress: { total: exchanges.length, sent: 0, skipped: 0, published: 0, lost: 0 },
        result: null,
        error: null,
      };
      replays.set(state.id, state);
      for (const old of [...replays.keys()].slice(0, Math.max(0, replays.size - MAX_KEPT))) replays.delete(old);
      const abort = new AbortController();
      aborts.add(abort);
      replaySession({
        exchanges,
        candidate: b.candidate.replace(/\/+$/, ''),
        baseline: b.baseline ?? DEFAULT_BASELINE,
        run: state.run,
        rate: b.rate,
        concurrency: b.concurrency ?? DEFAULT_CONCURRENCY,
        allowUnsafe: b.allowUnsafe ?? false,
        timeoutMs: TIMEOUT_MS,
        captureMaxBytes: opts.captureMaxBytes,
        publisher: opts.publisher,
        store: opts.store,
        signal: abort.signal,
        onProgress: (p) => {
          state.progress = p;
        },
      })
        .then(({ progress, settled: _settled, ...result }) => {
          state.progress = progress;
          state.result = result;
          state.status = 'done';
        })
        .catch((error: unknown) => {
          state.status = 'failed';
          state.error = (error as Error).message;
        })
        .finally(() => {
          aborts.delete(abort);
          release();
        });
      return reply.status(202).send({ id: state.id, run: state.run });
    },
  );

  app.get(
    '/replays/:id',
    {
      schema: {
        summary: 'Status and progress of a replay',
        params: replayParams,
        response: { 200: replayState, 404: errorResponse },
      },
    },
    async (req) => {
      const state = replays.get(req.params.id);
      if (!state) throw notFound(`no replay with id ${req.params.id}`);
      return state;
    },
  );
};
