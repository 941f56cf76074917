import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Captured traffic for replay: the request and the primary's response of each mirrored exchange,
 * redacted, kept up to a bound (count and age; oldest go first).
 */
export const captures = sqliteTable(
  'captures',
  {
    id: text('id').primaryKey(),
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    receivedAt: integer('received_at').notNull(),
    /** JSON: { method, url, headers, body (base64), bodySize } */
    request: text('request', { mode: 'json' }).notNull(),
    /** JSON: { status, headers, body (base64), latencyMs }, or null when the primary's body was not kept whole. */
    response: text('response', { mode: 'json' }),
  },
  (t) => [index('captures_run_received').on(t.run, t.receivedAt), index('captures_received').on(t.receivedAt)],
);
