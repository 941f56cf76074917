/** /api/v1: summary, endpoints and discrepancies of a run. */
import type { FastifyPluginAsync } from 'fastify';
import { decodeCursor, endpointStats, getDiscrepancy, listDiscrepancies, summary, type ReportOptions, type Store } from '../../libs/store/index.js';
import { badParameter, notFound } from './http-errors.js';
import { discrepancyDetailResponse, discrepancyListResponse, endpointsResponse, errorResponse, runQuery, summaryResponse } from './schemas.js';

export interface ReportRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, { store, defaultRun, report }) => {
  app.get<{ Querystring: { run?: string } }>(
    '/summary',
    {
      schema: {
        querystring: { type: 'object', properties: { run: runQuery }, additionalProperties: false },
        response: { 200: summaryResponse, 400: errorResponse },
      },
    },
    async (req) => summary(store, req.query.run ?? defaultRun, report),
  );

  app.get<{ Querystring: { run?: string } }>(
    '/endpoints',
    {
      schema: {
        querystring: { type: 'object', properties: { run: runQuery }, additionalProperties: false },
        response: { 200: endpointsResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const run = req.query.run ?? defaultRun;
      return { run, endpoints: endpointStats(store, run, report) };
    },
  );

  app.get<{ Querystring: { run?: string; endpoint?: string; limit: number; cursor?: string } }>(
    '/discrepancies',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            run: runQuery,
            endpoint: { type: 'string', minLength: 1, maxLength: 2048, description: 'Endpoint template, e.g. "GET /reviews/:id"' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 1024, description: 'nextCursor of the previous page' },
          },
          additionalProperties: false,
        },
        response: { 200: discrepancyListResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const cursor = req.query.cursor === undefined ? null : decodeCursor(req.query.cursor);
      if (req.query.cursor !== undefined && cursor === null) throw badParameter('cursor', 'is not a cursor this API returned');
      return listDiscrepancies(store, { run: req.query.run ?? defaultRun, endpoint: req.query.endpoint, limit: req.query.limit, cursor }, report);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/discrepancies/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
        response: { 200: discrepancyDetailResponse, 400: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const found = getDiscrepancy(store, req.params.id, report);
      if (!found) throw notFound(`no discrepancy with id ${req.params.id}`);
      return found;
    },
  );
};
