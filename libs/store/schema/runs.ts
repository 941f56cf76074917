import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A named comparison: live mirroring, or one replay. Created with its first exchange. */
export const runs = sqliteTable('runs', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['live', 'replay'] }).notNull(),
  createdAt: integer('created_at').notNull(),
});
