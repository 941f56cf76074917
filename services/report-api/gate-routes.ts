/**
 * The rollout gate, for the tools release engineers already run:
 * - GET  /api/v1/gate: always 200 when it could evaluate (Argo Rollouts' web provider treats a
 *   non-2xx answer as an error, not a failure); the verdict is in `data`.
 * - POST /api/v1/gate: a Flagger webhook; 200 on pass, 412 on fail or inconclusive, same body.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { errorResponse, flaggerBody, gateQuerystring, gateResponse, type GateQuery, type GateResponse } from '../../libs/api/index.js';
import { evaluateGate, type GateBaseline } from '../../libs/gate/evaluate-gate.js';
import { compareRuns, runFigures, type ReportOptions, type Store, type TimeWindow } from '../../libs/store/index.js';
import { gateQueryFromMetadata } from './flagger-metadata.js';
import { badParameter } from './http-errors.js';
import { windowFrom } from './query-window.js';

export interface GateRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

export const gateRoutes: FastifyPluginAsync<GateRoutesOptions> = async (plain, { store, defaultRun, report }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
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
  async function evaluate(q: GateQuery, prefix = ''): Promise<GateResponse> {
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

  app.get(
    '/gate',
    {
      schema: {
        summary: 'Rollout gate: pass, fail or inconclusive (always 200 when it could evaluate)',
        querystring: gateQuerystring,
        response: { 200: gateResponse, 400: errorResponse },
      },
    },
    async (req) => await evaluate(req.query),
  );

  app.post(
    '/gate',
    {
      schema: {
        summary: 'Flagger webhook: 200 on pass, 412 on fail or inconclusive',
        body: flaggerBody,
        response: { 200: gateResponse, 400: errorResponse, 412: gateResponse },
      },
    },
    async (req, reply) => {
      const result = await evaluate(gateQueryFromMetadata(req.body.metadata), 'metadata.');
      return reply.status(result.data.pass ? 200 : 412).send(result);
    },
  );
};
