import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { discrepancies } from './discrepancies.js';

/** One row per difference of a discrepancy; `field` aggregates paths per endpoint (`$.items[*].price`). */
export const differences = sqliteTable(
  'differences',
  {
    discrepancyId: text('discrepancy_id')
      .notNull()
      .references(() => discrepancies.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    path: text('path').notNull(),
    field: text('field').notNull(),
    kind: text('kind').notNull(),
    risk: text('risk', { enum: ['low', 'medium', 'high'] }).notNull(),
    /** JSON-encoded values, capped. */
    primaryValue: text('primary_value'),
    shadowValue: text('shadow_value'),
  },
  (t) => [primaryKey({ columns: [t.discrepancyId, t.seq] }), index('differences_run_endpoint_field').on(t.run, t.endpoint, t.field)],
);
