/**
 * No drift between libs/store/schema and the stores: a fresh SQLite file and a fresh PostgreSQL
 * database, migrated by openStore, hold exactly the tables, columns and indexes the schema declares,
 * and the pinned drizzle-kit finds nothing left to generate from the committed migrations.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../libs/store/schema/pg.js';
import * as sqliteSchema from '../../libs/store/schema/sqlite.js';
import { openStore } from '../../libs/store/open-store.js';
import { openTestStore, tempPgDb } from '../support/stores.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface TableShape {
  columns: Record<string, { notNull: boolean; type: string }>;
  primaryKey: string[];
  indexes: Record<string, string[]>;
}

const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** What libs/store/schema/sqlite.ts declares. */
function declaredSqlite(): Record<string, TableShape> {
  const out: Record<string, TableShape> = {};
  for (const table of Object.values(sqliteSchema) as SQLiteTable[]) {
    const c = sqliteTableConfig(table);
    const pk = c.primaryKeys[0]?.columns.map((col) => col.name) ?? c.columns.filter((col) => col.primary).map((col) => col.name);
    out[c.name] = {
      columns: sorted(Object.fromEntries(c.columns.map((col) => [col.name, { notNull: col.notNull || col.primary, type: col.getSQLType().toLowerCase() }]))),
      primaryKey: pk,
      indexes: sorted(Object.fromEntries(c.indexes.map((i) => [i.config.name, i.config.columns.map((col) => (col as { name: string }).name)]))),
    };
  }
  return sorted(out);
}

/** What libs/store/schema/pg.ts declares. */
function declaredPg(): Record<string, TableShape> {
  const out: Record<string, TableShape> = {};
  for (const table of Object.values(pgSchema) as PgTable[]) {
    const c = pgTableConfig(table);
    const pk = c.primaryKeys[0]?.columns.map((col) => col.name) ?? c.columns.filter((col) => col.primary).map((col) => col.name);
    out[c.name] = {
      columns: sorted(Object.fromEntries(c.columns.map((col) => [col.name, { notNull: col.notNull || col.primary, type: col.getSQLType().toLowerCase() }]))),
      primaryKey: pk,
      indexes: sorted(Object.fromEntries(c.indexes.map((i) => [i.config.name ?? '', i.config.columns.map((col) => (col as { name: string }).name)]))),
    };
  }
  return sorted(out);
}

describe('store migrations', () => {
  it('give a fresh SQLite file exactly the declared tables, columns and indexes', async () => {
    const store = await openTestStore('sqlite');
    const tables = await store.db.all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name`,
    );
    const found: Record<string, TableShape> = {};
    for (const { name } of tables) {
      const cols = await store.db.all<{ name: string; type: string; notnull: number; pk: number }>(sql.raw(`pragma table_info("${name}")`));
      const indexList = await store.db.all<{ name: string; origin: string }>(sql.raw(`pragma index_list("${name}")`));
      const indexes: Record<string, string[]> = {};
      for (const i of indexList.filter((x) => x.origin === 'c')) {
        const info = await store.db.all<{ seqno: number; name: string }>(sql.raw(`pragma index_info("${i.name}")`));
        indexes[i.name] = info.sort((a, b) => a.seqno - b.seqno).map((x) => x.name);
      }
      found[name] = {
        // SQLite does not enforce NOT NULL on a text primary key by itself; drizzle declares it.
        columns: sorted(Object.fromEntries(cols.map((col) => [col.name, { notNull: col.notnull === 1 || col.pk > 0, type: col.type.toLowerCase() }]))),
        primaryKey: cols.filter((col) => col.pk > 0).sort((a, b) => a.pk - b.pk).map((col) => col.name),
        indexes: sorted(indexes),
      };
    }
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(14);
    expect(sorted(found)).toEqual(declaredSqlite());
  });

  it('give a fresh PostgreSQL database exactly the declared tables, columns and indexes', async () => {
    const store = await openTestStore('postgres');
    const cols = await store.db.all<{ table_name: string; column_name: string; is_nullable: string; data_type: string }>(
      sql`select table_name, column_name, is_nullable, data_type from information_schema.columns where table_schema = 'public'`,
    );
    const pks = await store.db.all<{ table_name: string; column_name: string; ordinal_position: number }>(sql`
      select k.table_name, k.column_name, k.ordinal_position from information_schema.table_constraints c
      join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema and k.table_name = c.table_name
      where c.table_schema = 'public' and c.constraint_type = 'PRIMARY KEY'`);
    const idx = await store.db.all<{ table_name: string; index_name: string; column_name: string; n: number }>(sql`
      select t.relname as table_name, i.relname as index_name, a.attname as column_name, k.n
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class t on t.oid = x.indrelid
      join pg_namespace ns on ns.oid = t.relnamespace
      cross join lateral unnest(x.indkey) with ordinality as k(attnum, n)
      join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
      where ns.nspname = 'public' and not x.indisprimary`);
    const found: Record<string, TableShape> = {};
    const shape = (t: string) => (found[t] ??= { columns: {}, primaryKey: [], indexes: {} });
    for (const c of cols) shape(c.table_name).columns[c.column_name] = { notNull: c.is_nullable === 'NO', type: c.data_type };
    for (const p of [...pks].sort((a, b) => a.ordinal_position - b.ordinal_position)) shape(p.table_name).primaryKey.push(p.column_name);
    for (const i of [...idx].sort((a, b) => Number(a.n) - Number(b.n))) (shape(i.table_name).indexes[i.index_name] ??= []).push(i.column_name);
    for (const t of Object.values(found)) {
      t.columns = sorted(t.columns);
      t.indexes = sorted(t.indexes);
    }
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(14);
    expect(sorted(found)).toEqual(declaredPg());
  });

  it('migrates a fresh PostgreSQL database once when several processes open it at the same moment', async () => {
    // Comparators and report APIs of a deployment start together (docker compose up, a rollout).
    const url = await tempPgDb();
    const stores = await Promise.all(Array.from({ length: 5 }, () => openStore(url)));
    try {
      const [applied] = await (stores[0] as (typeof stores)[0]).db.all<{ n: string }>(sql`select count(*) as n from drizzle.__drizzle_migrations`);
      // Each migration of the journal applied once, not once per process.
      const journal = JSON.parse(readFileSync(new URL('../../migrations/pg/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };
      expect(Number(applied?.n)).toBe(journal.entries.length);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  // drizzle-kit refuses --out together with --config, and writes `out` relative to its working
  // directory: so it runs in a temp dir holding a copy of the migrations and a config naming the schema.
  it.each([
    ['sqlite', 'sqlite', 'libs/store/schema/sqlite.ts'],
    ['pg', 'postgresql', 'libs/store/schema/pg.ts'],
  ])('leave drizzle-kit nothing to generate for migrations/%s', (folder, dialect, schema) => {
    const dir = mkdtempSync(join(tmpdir(), 'shadow-diff-drift-'));
    cpSync(join(ROOT, 'migrations', folder), join(dir, folder), { recursive: true });
    const before = readdirSync(join(dir, folder), { recursive: true }).sort();
    writeFileSync(join(dir, 'drizzle.config.mjs'), `export default ${JSON.stringify({ dialect, schema: join(ROOT, schema), out: `./${folder}` })};\n`);
    const r = spawnSync(join(ROOT, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', 'drizzle.config.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).toBe(0);
    // drizzle-kit 0.31's words when the snapshot equals the schema.
    expect(output).toContain('No schema changes, nothing to migrate');
    expect(readdirSync(join(dir, folder), { recursive: true }).sort()).toEqual(before);
  });
});
