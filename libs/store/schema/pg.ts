/** The store's tables for PostgreSQL (drizzle.pg.config.ts generates migrations/pg from this file). */
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { defineTables, type Builders } from './tables.js';

const builders = {
  table: pgTable,
  text: (name: string) => text(name),
  int: (name: string) => integer(name),
  long: (name: string) => bigint(name, { mode: 'number' }),
  real: (name: string) => doublePrecision(name),
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
