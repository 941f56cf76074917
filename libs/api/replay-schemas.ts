/** POST /api/v1/replays and GET /api/v1/replays/:id: replays started over HTTP. */
import { Type, type Static } from 'typebox';
import { optionSpec } from '../config/commands.js';
import { defaultValue } from '../config/load-config.js';
import { MIN_REPLAY_RATE } from '../config/options.js';
import { runParameter, runQuery } from './common-schemas.js';
import { nullable, stringEnum } from './schema-kit.js';

/** The option table's defaults and bounds, the same as the CLI's. */
const CONCURRENCY = optionSpec('replayConcurrency');

export const replayBody = Type.Object(
  {
    fromRun: runQuery,
    candidate: Type.String({ format: 'uri', pattern: '^https?://', description: 'The version under test' }),
    baseline: Type.Optional(Type.String({ default: defaultValue('baseline') as string, description: '"recorded" or the URL of a live baseline' })),
    // The interval between requests must fit a timer (2^31-1 ms).
    rate: Type.Optional(Type.Number({ minimum: MIN_REPLAY_RATE, maximum: optionSpec('replayRate').max, description: 'Requests per second' })),
    concurrency: Type.Optional(Type.Integer({ minimum: CONCURRENCY.min, maximum: CONCURRENCY.max, default: defaultValue('replayConcurrency') as number })),
    run: Type.Optional(runParameter('A new run (default replay-<timestamp>); an existing one is refused (409) unless append')),
    append: Type.Optional(Type.Boolean({ default: false, description: 'Add to an existing replay run of the same source' })),
    allowUnsafe: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const replayParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const replayStarted = Type.Object({ id: Type.String(), run: Type.String() });

const progress = Type.Object({ total: Type.Integer(), sent: Type.Integer(), skipped: Type.Integer(), published: Type.Integer(), lost: Type.Integer() });

export const replayState = Type.Object({
  id: Type.String(),
  run: Type.String(),
  status: stringEnum(['running', 'done', 'failed']),
  startedAt: Type.String({ format: 'date-time' }),
  progress,
  result: Type.Union([
    Type.Null(),
    Type.Object({
      run: Type.String(),
      sent: Type.Integer(),
      compared: Type.Integer(),
      mismatched: Type.Integer(),
      mismatchRate: Type.Number(),
      skipped: Type.Integer(),
      errors: Type.Integer(),
      durationMs: Type.Integer(),
    }),
  ]),
  error: nullable(Type.String()),
});
export type ReplayState = Static<typeof replayState>;
