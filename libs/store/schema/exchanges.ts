import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per exchange the comparator has handled: the outcome that every count derives from.
 * The id is the exchange id (= job id), so a redelivered job cannot be counted twice.
 */
export const exchanges = sqliteTable(
  'exchanges',
  {
    id: text('id').primaryKey(),
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    method: text('method').notNull(),
    url: text('url').notNull(),
    /** match | mismatch | skipped */
    outcome: text('outcome', { enum: ['match', 'mismatch', 'skipped'] }).notNull(),
    skipReason: text('skip_reason'),
    /** The shadow answered 5xx, timed out or failed to connect. */
    shadowFailed: integer('shadow_failed', { mode: 'boolean' }).notNull().default(false),
    primaryStatus: integer('primary_status').notNull(),
    shadowStatus: integer('shadow_status'),
    primaryLatencyMs: real('primary_latency_ms').notNull(),
    shadowLatencyMs: real('shadow_latency_ms'),
    risk: text('risk', { enum: ['low', 'medium', 'high'] }),
    /** A secondary (A/A) response was compared too: this exchange counts in the noise statistics. */
    hasSecondary: integer('has_secondary', { mode: 'boolean' }).notNull().default(false),
    secondaryStatus: integer('secondary_status'),
    /** Epoch ms when the ingress received the request. */
    receivedAt: integer('received_at').notNull(),
    comparedAt: integer('compared_at').notNull(),
  },
  (t) => [index('exchanges_run_endpoint').on(t.run, t.endpoint, t.outcome), index('exchanges_run_received').on(t.run, t.receivedAt)],
);
