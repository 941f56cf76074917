/**
 * The rollout gate, for the tools release engineers already run:
 * - GET  /api/v1/gate: always 200 when it could evaluate (Argo Rollouts' web provider treats a
 *   non-2xx answer as an error, not a failure); the verdict is in `data`.
 * - POST /api/v1/gate: a Flagger webhook; 200 on pass, 412 on fail or inconclusive, same body.
 */
import type { FastifyPluginAsync } from 'fastify';
import { evaluateGate, type GateBaseline } from '../../libs/gate/evaluate-gate.js';
import { COUNT, parseNumberText, POSITIVE_COUNT, RATE, type NumberSpec } from '../../libs/values/numbers.js';
import { isRunName } from '../../libs/values/run-name.js';
import { compareRuns, runFigures, type ReportOptions, type Store, type TimeWindow } from '../../libs/store/index.js';
import { badParameter } from './http-errors.js';
import { windowFrom, windowQueryProperties } from './query-window.js';
import { errorResponse, gateResponse, runQuery } from './schemas.js';

export interface GateRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

interface GateQuery {
  run?: string;
  endpoint?: string;
  maxMismatchRate: number;
  minSamples: number;
  maxEndpointMismatchRate?: number;
  baseline?: string;
  maxNewFields?: number;
  since?: string;
  until?: string;
}

const gateParameters = {
  run: runQuery,
  endpoint: { type: 'string', minLength: 1, maxLength: 2048, description: 'Gate on one endpoint only, e.g. "GET /reviews/:id"' },
  maxMismatchRate: { type: 'number', minimum: 0, maximum: 1, description: 'Highest acceptable mismatched / compared, 0 to 1' },
  minSamples: { type: 'integer', minimum: 1, description: 'Fewer comparisons than this give an inconclusive verdict' },
  maxEndpointMismatchRate: { type: 'number', minimum: 0, maximum: 1, description: 'Optional limit every endpoint must meet too' },
  baseline: { ...runQuery, description: 'The run to count new differing fields against (with maxNewFields), e.g. the previous candidate' },
  maxNewFields: { type: 'integer', minimum: 0, description: 'With baseline: fail when the run has more fields differing that never differed in the baseline run' },
  ...windowQueryProperties,
} as const;

export const gateRoutes: FastifyPluginAsync<GateRoutesOptions> = async (app, { store, defaultRun, report }) => {
  /** New fields of the run against the baseline run, over the same window (and endpoint). */
  async function againstBaseline(q: GateQuery, run: string, window: TimeWindow, prefix: string): Promise<GateBaseline | undefined> {
    if (q.baseline === undefined && q.maxNewFields === undefined) return undefined;
    if (q.baseline === undefined) throw badParameter(`${prefix}baseline`, 'is required with maxNewFields: the run to count new fields against');
    if (q.maxNewFields === undefined) throw badParameter(`${prefix}maxNewFields`, 'is required with baseline');
    const comparison = await compareRuns(store, q.baseline, run, { ...report, window });
    const endpoints = comparison.endpoints.filter((e) => q.endpoint === undefined || e.endpoint === q.endpoint);
    return {
      run: q.baseline,
      compared: endpoints.reduce((n, e) => n + e.base.compared, 0),
      newFields: endpoints.flatMap((e) => e.fields.filter((f) => f.status === 'new').map((f) => ({ endpoint: e.endpoint, path: f.path, headMismatches: f.headMismatches }))),
    };
  }

  /** `prefix` names where the parameters came from in a 400 (the webhook's `metadata.`). */
  async function evaluate(q: GateQuery, prefix = '') {
    const run = q.run ?? defaultRun;
    const window = windowFrom(q, prefix);
    const baseline = await againstBaseline(q, run, window, prefix);
    // The light figures (counts and mismatches after noise), not the endpoints' latency, fields and rules.
    const figures = await runFigures(store, run, { ...report, window });
    let endpoints = figures.endpoints;
    let total = { compared: figures.compared, mismatched: figures.mismatched, mismatchRate: figures.mismatchRate };
    if (q.endpoint !== undefined) {
      endpoints = endpoints.filter((e) => e.endpoint === q.endpoint);
      const only = endpoints[0];
      total = { compared: only?.compared ?? 0, mismatched: only?.mismatched ?? 0, mismatchRate: only?.mismatchRate ?? 0 };
    }
    const verdict = evaluateGate(total, endpoints, q, baseline);
    return {
      data: {
        ...verdict,
        run,
        endpoint: q.endpoint ?? null,
        since: window.since !== undefined ? new Date(window.since).toISOString() : null,
        until: window.until !== undefined ? new Date(window.until).toISOString() : null,
      },
    };
  }

  app.get<{ Querystring: GateQuery }>(
    '/gate',
    {
      schema: {
        summary: 'Rollout gate: pass, fail or inconclusive (always 200 when it could evaluate)',
        querystring: { type: 'object', properties: gateParameters, required: ['maxMismatchRate', 'minSamples'], additionalProperties: false },
        response: { 200: gateResponse, 400: errorResponse },
      },
    },
    async (req) => await evaluate(req.query),
  );

  app.post<{ Body: { name?: string; namespace?: string; phase?: string; metadata?: Record<string, unknown> } }>(
    '/gate',
    {
      schema: {
        summary: 'Flagger webhook: 200 on pass, 412 on fail or inconclusive',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            namespace: { type: 'string' },
            phase: { type: 'string' },
            checksum: { type: 'string' },
            metadata: {
              type: 'object',
              description: 'The gate parameters, as strings (Flagger sends metadata values as strings)',
              properties: Object.fromEntries(Object.keys(gateParameters).map((k) => [k, { type: 'string' }])),
              required: ['maxMismatchRate', 'minSamples'],
            },
          },
          required: ['metadata'],
        },
        response: { 200: gateResponse, 400: errorResponse, 412: gateResponse },
      },
    },
    async (req, reply) => {
      const m = (req.body.metadata ?? {}) as Record<string, string | undefined>;
      const number = (key: 'maxMismatchRate' | 'minSamples' | 'maxEndpointMismatchRate' | 'maxNewFields', spec: NumberSpec) => {
        const raw = m[key];
        if (raw === undefined) return undefined;
        const parsed = parseNumberText(raw, spec);
        if (!parsed.ok) throw badParameter(`metadata.${key}`, parsed.problem);
        return parsed.value;
      };
      for (const key of ['run', 'baseline'] as const) {
        const name = m[key];
        if (name !== undefined && !isRunName(name)) throw badParameter(`metadata.${key}`, `is not a run name: '${name}'`);
      }
      const result = await evaluate(
        {
          run: m.run,
          endpoint: m.endpoint,
          maxMismatchRate: number('maxMismatchRate', RATE) as number,
          minSamples: number('minSamples', POSITIVE_COUNT) as number,
          maxEndpointMismatchRate: number('maxEndpointMismatchRate', RATE),
          baseline: m.baseline,
          maxNewFields: number('maxNewFields', COUNT),
          since: m.since,
          until: m.until,
        },
        'metadata.',
      );
      return reply.status(result.data.pass ? 200 : 412).send(result);
    },
  );
};
