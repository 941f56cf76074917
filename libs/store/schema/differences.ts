import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { exchanges } from './exchanges.js';

/**
 * One row per difference found for an exchange: primary vs shadow (`side` shadow) and primary vs
 * secondary (`side` secondary). A shadow difference the secondary showed too on the same request is
 * `cancelled` (noise for that request). `field` aggregates paths per endpoint (`$.items[*].price`).
 */
export const differences = sqliteTable(
  'differences',
  {
    exchangeId: text('exchange_id')
      .notNull()
      .references(() => exchanges.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    side: text('side', { enum: ['shadow', 'secondary'] }).notNull(),
    cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    path: text('path').notNull(),
    field: text('field').notNull(),
    kind: text('kind').notNull(),
    risk: text('risk', { enum: ['low', 'medium', 'high'] }).notNull(),
    /** JSON-encoded values, capped. */
    primaryValue: text('primary_value'),
    otherValue: text('other_value'),
    /** The exchange's receive time (epoch ms), for time windows without a join. */
    receivedAt: integer('received_at').notNull(),
    /** A line diff for text bodies. */
    detail: text('detail'),
  },
  (t) => [primaryKey({ columns: [t.exchangeId, t.seq] }), index('differences_run_endpoint_field').on(t.run, t.endpoint, t.field, t.side), index('differences_run_received').on(t.run, t.receivedAt)],
);
