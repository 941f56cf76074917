import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { exchanges } from './exchanges.js';

/** The evidence kept for a mismatched exchange: request and both responses (redacted, bodies capped). */
export const discrepancies = sqliteTable(
  'discrepancies',
  {
    id: text('id')
      .primaryKey()
      .references(() => exchanges.id, { onDelete: 'cascade' }),
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    method: text('method').notNull(),
    url: text('url').notNull(),
    primaryStatus: integer('primary_status').notNull(),
    shadowStatus: integer('shadow_status'),
    /** JSON: { method, url, headers, body, bodyEncoding } */
    request: text('request', { mode: 'json' }).notNull(),
    /** JSON: { status, headers, body, bodyEncoding, latencyMs } */
    primary: text('primary', { mode: 'json' }).notNull(),
    /** JSON: { status, headers, body, bodyEncoding, latencyMs, error, secondary: { same shape } | null } */
    shadow: text('shadow', { mode: 'json' }).notNull(),
    /** JSON array of the difference paths, for the list view. */
    paths: text('paths', { mode: 'json' }).notNull(),
    risk: text('risk', { enum: ['low', 'medium', 'high'] }).notNull(),
    /** Differences found per side; more than are stored when the list was capped (null: all stored). */
    differencesTotal: integer('differences_total'),
    secondaryDifferencesTotal: integer('secondary_differences_total'),
    createdAt: integer('created_at').notNull(),
    /** The exchange's receive time (epoch ms), for time windows. */
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('discrepancies_run_created').on(t.run, t.createdAt, t.id), index('discrepancies_run_endpoint_created').on(t.run, t.endpoint, t.createdAt, t.id)],
);
