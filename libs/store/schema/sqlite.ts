/** The store's tables for SQLite (drizzle.config.ts generates migrations/sqlite from this file). */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { defineTables, type Builders } from './tables.js';

const builders = {
  table: sqliteTable,
  text: (name: string) => text(name),
  int: (name: string) => integer(name),
  long: (name: string) => integer(name),
  real: (name: string) => real(name),
  index,
  primaryKey,
} as unknown as Builders;

export const {
  runs,
  storeMeta,
  exchangeIds,
  rollups,
  skipRollups,
  fieldRollups,
  signatures,
  signatureRollups,
  latencyRollups,
  runLatencyRollups,
  ruleRollups,
  drops,
  discrepancies,
  differences,
  captures,
} = defineTables(builders);
