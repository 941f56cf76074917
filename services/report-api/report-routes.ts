/** /api/v1: summary, endpoints and discrepancies of a run. */
import type { FastifyPluginAsync } from 'fastify';
import { decodeCursor, endpointCapStatus, endpointStats, getDiscrepancy, listDiscrepancies, listRuns, summary, type ReportOptions, type Store } from '../../libs/store/index.js';
import type { Risk } from '../../libs/compare/difference.js';
import { badParameter, notFound } from './http-errors.js';
import { windowFrom, windowQueryProperties } from './query-window.js';
import { discrepancyDetailResponse, discrepancyListResponse, endpointsResponse, errorResponse, runQuery, runsResponse, summaryResponse } from './schemas.js';

export interface ReportRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, { store, defaultRun, report }) => {
  const withWindow = (q: { since?: string; until?: string }): ReportOptions => ({ ...report, window: windowFrom(q) });

  app.get(
    '/runs',
    { schema: { summary: 'Every run, newest first', response: { 200: runsResponse } } },
    async () => ({ runs: await listRuns(store, report) }),
  );

  app.get<{ Querystring: { run?: string; since?: string; until?: string } }>(
    '/summary',
    {
      schema: {
        summary: 'Counts and mismatch rate of a run',
        querystring: { type: 'object', properties: { run: runQuery, ...windowQueryProperties }, additionalProperties: false },
        response: { 200: summaryResponse, 400: errorResponse },
      },
    },
    async (req) => await summary(store, req.query.run ?? defaultRun, withWindow(req.query)),
  );

  app.get<{ Querystring: { run?: string; since?: string; until?: string } }>(
    '/endpoints',
    {
      schema: {
        summary: 'Per-endpoint counts, risk, latency, fields (with noise) and rule hits',
        querystring: { type: 'object', properties: { run: runQuery, ...windowQueryProperties }, additionalProperties: false },
        response: { 200: endpointsResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const run = req.query.run ?? defaultRun;
      const [endpoints, endpointCap] = await Promise.all([endpointStats(store, run, withWindow(req.query)), endpointCapStatus(store, run, report)]);
      return { run, endpoints, endpointCap };
    },
  );

  app.get<{ Querystring: { run?: string; endpoint?: string; field?: string; risk?: Risk; limit: number; cursor?: string; since?: string; until?: string } }>(
    '/discrepancies',
    {
      schema: {
        summary: 'Discrepancies of a run, newest first, with keyset pagination',
        querystring: {
          type: 'object',
          properties: {
            run: runQuery,
            endpoint: { type: 'string', minLength: 1, maxLength: 2048, description: 'Endpoint template, e.g. "GET /reviews/:id"' },
            field: { type: 'string', minLength: 1, maxLength: 2048, description: 'Only discrepancies whose shadow differs (for real, not cancelled) at this field, e.g. "$.items[*].price"' },
            risk: { type: 'string', enum: ['low', 'medium', 'high'], description: 'Only discrepancies of this risk after noise' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 1024, description: 'nextCursor of the previous page' },
            ...windowQueryProperties,
          },
          additionalProperties: false,
        },
        response: { 200: discrepancyListResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const cursor = req.query.cursor === undefined ? null : decodeCursor(req.query.cursor);
      if (req.query.cursor !== undefined && cursor === null) throw badParameter('cursor', 'is not a cursor this API returned');
      const { endpoint, field, risk, limit } = req.query;
      return await listDiscrepancies(store, req.query.run ?? defaultRun, { endpoint, field, risk, limit, cursor }, withWindow(req.query));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/discrepancies/:id',
    {
      schema: {
        summary: 'One discrepancy: the request, both responses (and the secondary) and the differences',
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
        response: { 200: discrepancyDetailResponse, 400: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const found = await getDiscrepancy(store, req.params.id, report);
      if (!found) throw notFound(`no discrepancy with id ${req.params.id}`);
      return found;
    },
  );
};
