import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A named comparison from one source: live mirroring, or a replay (claimed before its first request). */
export const runs = sqliteTable('runs', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['live', 'replay'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  /** Where its exchanges come from: `live`, `run:<name>`, `har:<file>`, `gor:<file>`; null for runs older than this column. */
  source: text('source'),
});
