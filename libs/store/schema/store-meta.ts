import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Values that belong to the store itself, e.g. its redaction key (created with the store). */
export const storeMeta = sqliteTable('store_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
