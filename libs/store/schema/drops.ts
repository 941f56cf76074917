import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Pairs lost before the queue, as reported by the ingresses; a report id is counted once. */
export const drops = sqliteTable(
  'drops',
  {
    reportId: text('report_id').notNull(),
    run: text('run').notNull(),
    reason: text('reason').notNull(),
    count: integer('count').notNull(),
    reportedAt: integer('reported_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.run, t.reason] })],
);
