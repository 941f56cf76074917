/**
 * /api/v1: the report over time and across candidates.
 * - GET /timeline       a run's (or an endpoint's) figures per point, at most 300 points
 * - GET /runs/compare   what the head run fixed or broke against the base run, field by field
 */
import { sql } from 'drizzle-orm';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { compareQuerystring, compareResponse, errorResponse, timelineQuerystring, timelineResponse } from '../../libs/api/index.js';
import { compareRuns, timeline, type ReportOptions, type Store } from '../../libs/store/index.js';
import { notFound } from './http-errors.js';
import { windowFrom } from './query-window.js';

export interface TrendRoutesOptions {
  store: Store;
  defaultRun: string;
  report: ReportOptions;
}

/** A run the store has never seen is a 404 naming the parameter: a typo must not read as "everything fixed". */
async function requireRun(store: Store, run: string, parameter: string): Promise<void> {
  const rows = await store.db.all(sql`select 1 as one from runs where name = ${run} limit 1`);
  if (rows.length === 0) throw notFound(`parameter '${parameter}': no run named '${run}'`, parameter);
}

export const trendRoutes: FastifyPluginAsync<TrendRoutesOptions> = async (plain, { store, defaultRun, report }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/timeline',
    {
      schema: {
        summary: "A run's mismatch rate, volume and p99 over time",
        querystring: timelineQuerystring,
        response: { 200: timelineResponse, 400: errorResponse },
      },
    },
    async (req) => await timeline(store, req.query.run ?? defaultRun, { ...report, window: windowFrom(req.query), endpoint: req.query.endpoint }),
  );

  app.get(
    '/runs/compare',
    {
      schema: {
        summary: 'What the head run fixed or broke against the base run: new, fixed and persisting fields per endpoint',
        querystring: compareQuerystring,
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
