import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** How often each rule applied to an endpoint's comparisons and changed their result: a rule that never hits is dead. */
export const ruleHits = sqliteTable(
  'rule_hits',
  {
    run: text('run').notNull(),
    endpoint: text('endpoint').notNull(),
    rule: text('rule').notNull(),
    evaluated: integer('evaluated').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.run, t.endpoint, t.rule] })],
);
