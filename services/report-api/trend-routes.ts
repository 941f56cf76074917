/**
 * /api/v1: the report over time and across candidates.
 * - GET /timeline       a run's (or an endpoint's) figures per point, at most 300 points
 * - GET /runs/compare   what the head run fixed or broke against the base run, field by field
 */
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';
import { compareRuns, timeline, type ReportOptions, type Store } from '../../libs/store/index.js';
import { notFound } from './http-errors.js';
import { windowFrom, windowQueryProperties } from './query-window.js';
import { compareResponse, errorResponse, runQuery, timelineResponse } from './schemas.js';

export interface TrendRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

const endpointQuery = { type: 'string', minLength: 1, maxLength: 2048, description: 'Endpoint template, e.g. "GET /reviews/:id"; the whole run when absent' } as const;

/** A run the store has never seen is a 404 naming the parameter: a typo must not read as "everything fixed". */
async function requireRun(store: Store, run: string, parameter: string): Promise<void> {
  const rows = await store.db.all(sql`select 1 as one from runs where name = ${run} limit 1`);
  if (rows.length === 0) throw notFound(`parameter '${parameter}': no run named '${run}'`, parameter);
}

export const trendRoutes: FastifyPluginAsync<TrendRoutesOptions> = async (app, { store, defaultRun, report }) => {
  app.get<{ Querystring: { run?: string; endpoint?: string; since?: string; until?: string } }>(
    '/timeline',
    {
      schema: {
        summary: "A run's mismatch rate, volume and p99 over time",
        querystring: { type: 'object', properties: { run: runQuery, endpoint: endpointQuery, ...windowQueryProperties }, additionalProperties: false },
        response: { 200: timelineResponse, 400: errorResponse },
      },
    },
    async (req) => await timeline(store, req.query.run ?? defaultRun, { ...report, window: windowFrom(req.query), endpoint: req.query.endpoint }),
  );

  app.get<{ Querystring: { base: string; head: string; since?: string; until?: string } }>(
    '/runs/compare',
    {
      schema: {
        summary: 'What the head run fixed or broke against the base run: new, fixed and persisting fields per endpoint',
        querystring: {
          type: 'object',
          properties: {
            base: { ...runQuery, description: 'The run compared against, e.g. the previous candidate' },
            head: { ...runQuery, description: 'The run under review, e.g. the next candidate' },
            ...windowQueryProperties,
          },
          required: ['base', 'head'],
          additionalProperties: false,
        },
        response: { 200: compareResponse, 400: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const { base, head } = req.query;
      const window = windowFrom(req.query);
      await Promise.all([requireRun(store, base, 'base'), requireRun(store, head, 'head')]);
      return await compareRuns(store, base, head, { ...report, window });
    },
  );
};
