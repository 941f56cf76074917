/** GET /api/v1/runs, /summary, /endpoints and /discrepancies: what the report reads (README's route table). */
import { Type, type Static } from 'typebox';
import { endpointParameter, riskSchema, runQuery, windowQueryProperties } from './common-schemas.js';
import { mapOf, nullable, stringEnum } from './schema-kit.js';

const I = () => Type.Integer();
const N = () => Type.Number();

export const runQuerystring = Type.Object({ run: Type.Optional(runQuery), ...windowQueryProperties }, { additionalProperties: false });

export const discrepancyListQuerystring = Type.Object(
  {
    run: Type.Optional(runQuery),
    endpoint: Type.Optional(endpointParameter('Endpoint template, e.g. "GET /reviews/:id"')),
    field: Type.Optional(endpointParameter('Only discrepancies whose shadow differs (for real, not cancelled) at this field, e.g. "$.items[*].price"')),
    risk: Type.Optional(riskSchema({ description: 'Only discrepancies of this risk after noise' })),
    // Optional to a client; Ajv (useDefaults) fills it in before the handler runs.
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'nextCursor of the previous page' })),
    ...windowQueryProperties,
  },
  { additionalProperties: false },
);

export const discrepancyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const runListItem = Type.Object({
  run: Type.String(),
  kind: stringEnum(['live', 'replay']),
  compared: I(),
  mismatched: I(),
  mismatchRate: N(),
  firstSeenAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
});
export type RunListItem = Static<typeof runListItem>;

export const runsResponse = Type.Object({ runs: Type.Array(runListItem) });
export type RunsResponse = Static<typeof runsResponse>;

/** Skipped exchanges by reason, e.g. `{ comparator_error: 2 }`. */
const skippedByReason = mapOf(I(), { description: 'Skipped exchanges by reason, e.g. { "comparator_error": 2 }' });
export type SkippedByReason = Static<typeof skippedByReason>;

export const endpointCapStatus = Type.Object(
  { max: I(), reached: Type.Boolean() },
  { description: 'The per-run endpoint cap (--max-endpoints); reached once new templates were counted under the endpoint OTHER (a route rule can name them)' },
);
export type EndpointCapStatus = Static<typeof endpointCapStatus>;

export const summaryResponse = Type.Object({
  run: Type.String(),
  compared: I(),
  matched: I(),
  mismatched: I(),
  mismatchRate: N(),
  skipped: I(),
  shadowErrors: I(),
  dropped: I(),
  skippedByReason,
  endpointCap: endpointCapStatus,
});
export type RunSummary = Static<typeof summaryResponse>;

const percentiles = Type.Object({ p50: nullable(N()), p95: nullable(N()), p99: nullable(N()) });
export type LatencyPercentiles = Static<typeof percentiles>;

const byRisk = Type.Object({ high: I(), medium: I(), low: I() });
export type ByRisk = Static<typeof byRisk>;

/** mismatches: exchanges mismatched because of the field (0 for noise); shadowDiffs / secondaryDiffs: noise included. */
const fieldStats = Type.Object({ path: Type.String(), mismatches: I(), shadowDiffs: I(), secondaryDiffs: I(), noise: Type.Boolean() });
export type FieldStats = Static<typeof fieldStats>;

export const endpointStats = Type.Object({
  endpoint: Type.String(),
  compared: I(),
  mismatched: I(),
  mismatchRate: N(),
  skipped: I(),
  skippedByReason: Type.Optional(skippedByReason),
  shadowErrors: I(),
  comparedWithSecondary: I(),
  byRisk,
  latency: Type.Object(
    { primary: percentiles, shadow: percentiles },
    { description: 'Milliseconds to the last byte over the compared exchanges: nearest-rank percentiles of a log-linear histogram (the upper bound of the bin)' },
  ),
  fields: Type.Array(fieldStats),
  rules: Type.Array(Type.Object({ rule: Type.String(), evaluated: I(), hits: I() }), {
    description: 'Rules applied to this endpoint; hits 0 means the rule matched nothing in its traffic (dead).',
  }),
});
/** skippedByReason is always there in what the store reads; the schema has never required it. */
export type EndpointStats = Static<typeof endpointStats> & { skippedByReason: SkippedByReason };

export const endpointsResponse = Type.Object({ run: Type.String(), endpoints: Type.Array(endpointStats), endpointCap: endpointCapStatus });
export type EndpointsResponse = Static<typeof endpointsResponse>;

export const discrepancyListItem = Type.Object({
  id: Type.String(),
  run: Type.String(),
  endpoint: Type.String(),
  method: Type.String(),
  url: Type.String(),
  primaryStatus: I(),
  shadowStatus: nullable(I()),
  paths: Type.Array(Type.String()),
  risk: riskSchema(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DiscrepancyListItem = Static<typeof discrepancyListItem>;

export const discrepancyListResponse = Type.Object({ items: Type.Array(discrepancyListItem), nextCursor: nullable(Type.String()) });
export type DiscrepancyPage = Static<typeof discrepancyListResponse>;

const headerMap = mapOf(Type.Unsafe<string | string[]>({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }));

const storedBody = {
  body: nullable(Type.String()),
  bodyEncoding: Type.Optional(stringEnum(['utf8', 'base64'])),
  bodySize: Type.Optional(I()),
  bodyTruncated: Type.Optional(Type.Boolean()),
};

const storedResponse = Type.Object({
  status: nullable(I()),
  headers: headerMap,
  latencyMs: nullable(N()),
  error: nullable(Type.String()),
  ...storedBody,
});

/** What a difference holds before the other side's value; property order is the serialized order. */
const differenceHead = { path: Type.String(), field: Type.Optional(Type.String()), kind: Type.String(), risk: Type.Optional(Type.String()), primary: Type.Unknown() };

const shadowDifference = Type.Object({ ...differenceHead, shadow: Type.Unknown(), noise: Type.Optional(Type.Boolean()), detail: Type.Optional(Type.String()) });
const secondaryDifference = Type.Object({ ...differenceHead, secondary: Type.Unknown(), detail: Type.Optional(Type.String()) });

export const discrepancyDetailResponse = Type.Object({
  id: Type.String(),
  run: Type.String(),
  endpoint: Type.String(),
  risk: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String()),
  request: Type.Object({ method: Type.String(), url: Type.String(), headers: headerMap, ...storedBody }),
  primary: Type.Object({ status: I(), headers: headerMap, latencyMs: N(), ...storedBody }),
  shadow: storedResponse,
  secondary: Type.Union([Type.Null(), storedResponse]),
  differences: Type.Array(shadowDifference),
  secondaryDifferences: Type.Array(secondaryDifference),
  differencesTotal: Type.Optional(Type.Integer({ description: 'Shadow differences found; past 1,000 only the first 1,000 (by risk, then path) are listed' })),
  secondaryDifferencesTotal: Type.Optional(Type.Integer({ description: 'Secondary differences found' })),
  differencesTruncated: Type.Optional(Type.Boolean({ description: 'True when a list holds fewer differences than were found' })),
});
export type DiscrepancyDetail = Static<typeof discrepancyDetailResponse>;
