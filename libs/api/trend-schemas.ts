/** GET /api/v1/timeline and /api/v1/runs/compare: the report over time and across candidates. */
import { Type, type Static } from 'typebox';
import { endpointParameter, runParameter, runQuery, windowQueryProperties } from './common-schemas.js';
import { nullable, stringEnum } from './schema-kit.js';

export const timelineQuerystring = Type.Object(
  {
    run: Type.Optional(runQuery),
    endpoint: Type.Optional(endpointParameter('Endpoint template, e.g. "GET /reviews/:id"; the whole run when absent')),
    ...windowQueryProperties,
  },
  { additionalProperties: false },
);

export const compareQuerystring = Type.Object(
  {
    base: runParameter('The run compared against, e.g. the previous candidate'),
    head: runParameter('The run under review, e.g. the next candidate'),
    ...windowQueryProperties,
  },
  { additionalProperties: false },
);

const nullableMs = () => nullable(Type.Number());

export const timelinePoint = Type.Object({
  t: Type.String({ format: 'date-time', description: "The point's start" }),
  compared: Type.Integer(),
  mismatched: Type.Integer({ description: 'After noise, decided over the whole window' }),
  mismatchRate: Type.Number(),
  shadowErrors: Type.Integer(),
  skipped: Type.Integer(),
  primaryP99Ms: nullableMs(),
  shadowP99Ms: nullableMs(),
});
export type TimelinePoint = Static<typeof timelinePoint>;

export const timelineResponse = Type.Object({
  run: Type.String(),
  endpoint: nullable(Type.String()),
  bucketSeconds: Type.Integer({
    description: 'The width of a point: minute buckets merged to 1, 5, 15 or 30 min, 1, 3, 6 or 12 h, or whole days, so that a window has at most 300 points',
  }),
  points: Type.Array(timelinePoint, {
    description: 'Oldest first, one per bucketSeconds, empty ones included (zeros, null latency); they add up to the summary of the same window',
  }),
});
export type Timeline = Static<typeof timelineResponse>;

const runCounts = Type.Object({ compared: Type.Integer(), mismatched: Type.Integer(), mismatchRate: Type.Number() });
export type RunCounts = Static<typeof runCounts>;

export const FIELD_STATUSES = ['new', 'fixed', 'persisting'] as const;

export const fieldChange = Type.Object({
  path: Type.String(),
  status: stringEnum(FIELD_STATUSES),
  baseMismatches: Type.Integer(),
  headMismatches: Type.Integer(),
});
export type FieldChange = Static<typeof fieldChange>;

export const endpointComparison = Type.Object({
  endpoint: Type.String(),
  presence: stringEnum(['both', 'base', 'head'], { description: 'base or head: only that run compared exchanges on this endpoint' }),
  base: runCounts,
  head: runCounts,
  fields: Type.Array(fieldChange, { description: 'new (differs in head, never in base), then fixed (differed in base, never in head), then persisting' }),
});
export type EndpointComparison = Static<typeof endpointComparison>;

export const compareResponse = Type.Object({
  base: Type.String(),
  head: Type.String(),
  endpoints: Type.Array(endpointComparison, { description: 'Endpoints with new fields first, then with fixed ones' }),
});
export type RunComparison = Static<typeof compareResponse>;
