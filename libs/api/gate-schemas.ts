/** GET and POST /api/v1/gate: the rollout gate's parameters and verdict. */
import { Type, type Static, type TOptional, type TProperties, type TSchema, type TString } from 'typebox';
import { endpointParameter, runParameter, runQuery, windowQueryProperties } from './common-schemas.js';
import { nullable, stringEnum } from './schema-kit.js';

const gateParameters = {
  run: Type.Optional(runQuery),
  endpoint: Type.Optional(endpointParameter('Gate on one endpoint only, e.g. "GET /reviews/:id"')),
  maxMismatchRate: Type.Number({ minimum: 0, maximum: 1, description: 'Highest acceptable mismatched / compared, 0 to 1' }),
  minSamples: Type.Integer({ minimum: 1, description: 'Fewer comparisons than this give an inconclusive verdict' }),
  maxEndpointMismatchRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Optional limit every endpoint must meet too' })),
  baseline: Type.Optional(runParameter('The run to count new differing fields against (with maxNewFields), e.g. the previous candidate')),
  maxNewFields: Type.Optional(
    Type.Integer({ minimum: 0, description: 'With baseline: fail when the run has more fields differing that never differed in the baseline run' }),
  ),
  ...windowQueryProperties,
};

type Strings<P extends TProperties> = { [K in keyof P]: P[K] extends TOptional<TSchema> ? TOptional<TString> : TString };

/** The same properties, each a string, optional where it was. */
function asStrings<P extends TProperties>(properties: P): Strings<P> {
  const entries = Object.entries(properties).map(([k, p]) => [k, Type.IsOptional(p) ? Type.Optional(Type.String()) : Type.String()]);
  return Object.fromEntries(entries) as Strings<P>;
}

export const gateQuerystring = Type.Object(gateParameters, { additionalProperties: false });
export type GateQuery = Static<typeof gateQuerystring>;

/** Flagger's webhook body: the same parameters, as strings (Flagger sends metadata values as strings). */
export const flaggerBody = Type.Object({
  name: Type.Optional(Type.String()),
  namespace: Type.Optional(Type.String()),
  phase: Type.Optional(Type.String()),
  checksum: Type.Optional(Type.String()),
  metadata: Type.Object(asStrings(gateParameters), { description: 'The gate parameters, as strings (Flagger sends metadata values as strings)' }),
});
export type FlaggerMetadata = Static<typeof flaggerBody>['metadata'];

export const gateData = Type.Object({
  verdict: stringEnum(['pass', 'fail', 'inconclusive']),
  pass: Type.Boolean(),
  run: Type.String(),
  endpoint: Type.Optional(nullable(Type.String())),
  compared: Type.Integer(),
  mismatched: Type.Integer(),
  mismatchRate: Type.Number(),
  maxMismatchRate: Type.Number(),
  minSamples: Type.Integer(),
  maxEndpointMismatchRate: Type.Optional(nullable(Type.Number())),
  failingEndpoints: Type.Optional(
    Type.Array(Type.Object({ endpoint: Type.String(), compared: Type.Integer(), mismatched: Type.Integer(), mismatchRate: Type.Number() })),
  ),
  since: Type.Optional(nullable(Type.String())),
  until: Type.Optional(nullable(Type.String())),
  baseline: Type.Optional(nullable(Type.String(), { description: 'The run new fields were counted against (baseline), or null' })),
  baselineCompared: Type.Optional(nullable(Type.Integer(), { description: 'Comparisons in the baseline run over the same window and endpoint' })),
  maxNewFields: Type.Optional(nullable(Type.Integer())),
  newFields: Type.Optional(
    Type.Array(Type.Object({ endpoint: Type.String(), path: Type.String(), headMismatches: Type.Integer() }), {
      description: 'Fields that differ in the run and never in the baseline run',
    }),
  ),
  reasons: Type.Array(Type.String()),
});
export type GateData = Static<typeof gateData>;

export const gateResponse = Type.Object({ data: gateData });
export type GateResponse = Static<typeof gateResponse>;
