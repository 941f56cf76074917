/** Schemas every route of the report API shares: the run parameter, the time window and the error body. */
import { Type, type Static } from 'typebox';
import { RUN_NAME_MAX_LENGTH, RUN_NAME_PATTERN } from '../values/run-name.js';
import { stringEnum } from './schema-kit.js';

export const runQuery = Type.String({
  minLength: 1,
  maxLength: RUN_NAME_MAX_LENGTH,
  pattern: RUN_NAME_PATTERN,
  description: 'Run name; defaults to the configured run.',
});

/** A run parameter with its own description. */
export const runParameter = (description: string) => Type.String({ ...runQuery, description });

export const endpointParameter = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });

/** `since` / `until`, shared by every report route (query-window.ts reads them). */
export const windowQueryProperties = {
  since: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'ISO 8601 date-time, or an ISO 8601 duration back from now (PT15M): only exchanges received since then',
    }),
  ),
  until: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 date-time or duration back from now: only exchanges received before' })),
};

export const errorResponse = Type.Object({
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
  parameter: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof errorResponse>;

export const RISKS = ['low', 'medium', 'high'] as const;
export const riskSchema = (options: Record<string, unknown> = {}) => stringEnum(RISKS, options);
