/** /api/v1: summary, endpoints and discrepancies of a run. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import {
  discrepancyDetailResponse,
  discrepancyListQuerystring,
  discrepancyListResponse,
  discrepancyParams,
  endpointsResponse,
  errorResponse,
  runQuerystring,
  runsResponse,
  summaryResponse,
} from '../../libs/api/index.js';
import { decodeCursor, endpointCapStatus, endpointStats, getDiscrepancy, listDiscrepancies, listRuns, summary, type ReportOptions, type Store } from '../../libs/store/index.js';
import { badParameter, notFound } from './http-errors.js';
import { windowFrom } from './query-window.js';

export interface ReportRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (plain, { store, defaultRun, report }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const withWindow = (q: { since?: string; until?: string }): ReportOptions => ({ ...report, window: windowFrom(q) });

  app.get(
    '/runs',
    { schema: { summary: 'Every run, newest first', response: { 200: runsResponse } } },
    async () => ({ runs: await listRuns(store, report) }),
  );

  app.get(
    '/summary',
    {
      schema: {
        summary: 'Counts and mismatch rate of a run',
        querystring: runQuerystring,
        response: { 200: summaryResponse, 400: errorResponse },
      },
    },
    async (req) => await summary(store, req.query.run ?? defaultRun, withWindow(req.query)),
  );

  app.get(
    '/endpoints',
    {
      schema: {
        summary: 'Per-endpoint counts, risk, latency, fields (with noise) and rule hits',
        querystring: runQuerystring,
        response: { 200: endpointsResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const run = req.query.run ?? defaultRun;
      const [endpoints, endpointCap] = await Promise.all([endpointStats(store, run, withWindow(req.query)), endpointCapStatus(store, run, report)]);
      return { run, endpoints, endpointCap };
    },
  );

  app.get(
    '/discrepancies',
    {
      schema: {
        summary: 'Discrepancies of a run, newest first, with keyset pagination',
        querystring: discrepancyListQuerystring,
        response: { 200: discrepancyListResponse, 400: errorResponse },
      },
    },
    async (req) => {
      const cursor = req.query.cursor === undefined ? null : decodeCursor(req.query.cursor);
      if (req.query.cursor !== undefined && cursor === null) throw badParameter('cursor', 'is not a cursor this API returned');
      const { endpoint, field, risk, limit } = req.query;
      // limit has its schema's default by now.
      return await listDiscrepancies(store, req.query.run ?? defaultRun, { endpoint, field, risk, limit: limit as number, cursor }, withWindow(req.query));
    },
  );

  app.get(
    '/discrepancies/:id',
    {
      schema: {
        summary: 'One discrepancy: the request, both responses (and the secondary) and the differences',
        params: discrepancyParams,
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
