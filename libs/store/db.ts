/**
 * One way to run SQL on either store: drizzle's `sql` template compiled for the store's dialect
 * (placeholders, quoting), executed by better-sqlite3 or node-postgres. The store's queries are
 * written once, in the subset both dialects share: INSERT … ON CONFLICT … DO UPDATE / DO NOTHING,
 * RETURNING, CASE, COALESCE, window functions; integers for flags, text for JSON.
 */
import type Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool, PoolClient } from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly dialect: Dialect;
  /** Rows of a query; numbers that PostgreSQL returns as strings (bigint, numeric) are the caller's to convert (num()). */
  all<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(query: SQL): Promise<number>;
  /**
   * One INSERT for many rows, the store's hot path: `head` is the statement up to VALUES, `tail`
   * what follows the row (ON CONFLICT …, RETURNING …), rows of `width` parameters. SQLite runs a
   * cached prepared statement once per row (no compile, no statement text per batch); PostgreSQL
   * sends multi-row statements (one round trip per slice). Resolves to the RETURNING rows, if any.
   */
  insertMany<T = Record<string, unknown>>(head: string, width: number, rows: readonly (readonly unknown[])[], tail?: string): Promise<T[]>;
  /** One transaction; the callback's statements go through `tx`. Not nested. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

/** A count or sum as a number, whichever type the driver returned it in. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** `(a, b), (c, d)` for a multi-row VALUES list. */
export const valuesList = (rows: readonly (readonly unknown[])[]): SQL => sql.join(rows.map((r) => sql`(${sql.join(r.map((v) => sql`${v}`), sql`, `)})`), sql`, `);

/** Parameters per statement at most: SQLite binds 32,766, PostgreSQL 65,535. */
export const MAX_PARAMETERS = 30_000;

/** Rows of `width` parameters each, in slices that fit one statement. */
export function* rowSlices<R extends readonly unknown[]>(rows: readonly R[], width: number): Generator<R[]> {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, width)));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** Serialises async work on one SQLite connection: a transaction holds it from BEGIN to COMMIT. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const placeholders = (width: number, from = 1, dollar = false) =>
  `(${Array.from({ length: width }, (_, i) => (dollar ? `$${from + i}` : '?')).join(', ')})`;

/** Prepared statements by text; the store's statement texts are few and fixed. */
function statementCache(connection: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return (text: string) => {
    let stmt = cache.get(text);
    if (!stmt) cache.set(text, (stmt = connection.prepare(text)));
    return stmt;
  };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function sqliteDb(db: BetterSQLite3Database<Record<string, unknown>>, connection: Database.Database): Db {
  const mutex = new Mutex();
  const prepared = statementCache(connection);
  const insertMany = async <T>(head: string, width: number, rows: readonly (readonly unknown[])[], tail = ''): Promise<T[]> => {
    if (rows.length === 0) return [];
    const stmt = prepared(`${head} values ${placeholders(width)} ${tail}`);
    if (!stmt.reader) {
      for (const row of rows) stmt.run(...row);
      return [];
    }
    const out: T[] = [];
    for (const row of rows) for (const r of stmt.all(...row)) out.push(r as T);
    return out;
  };
  const on = (inTransaction: boolean): Db => ({
    dialect: 'sqlite',
    insertMany,
    // better-sqlite3 is synchronous and shares the event loop with the ingress in `start`: a read
    // outside a transaction first lets waiting I/O run, so a report of many queries holds the loop
    // one query at a time. Inside a transaction nothing yields (the transaction is one macrotask).
    all: async <T>(query: SQL) => {
      if (!inTransaction) await yieldToLoop();
      return db.all(query) as T[];
    },
    run: async (query: SQL) => db.run(query).changes,
    transaction: async <T>(fn: (tx: Db) => Promise<T>) => {
      if (inTransaction) throw new Error('nested transaction');
      return mutex.lock(async () => {
        connection.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(on(true));
          connection.exec('COMMIT');
          return result;
        } catch (error) {
          if (connection.inTransaction) connection.exec('ROLLBACK');
          throw error;
        }
      });
    },
  });
  return on(false);
}

export function postgresDb(pool: Pool): Db {
  const dialect = new PgDialect();
  const compile = (query: SQL) => dialect.sqlToQuery(query);
  const through = (client: Pool | PoolClient, inTransaction: boolean): Db => ({
    dialect: 'postgres',
    insertMany: async <T>(head: string, width: number, rows: readonly (readonly unknown[])[], tail = ''): Promise<T[]> => {
      const out: T[] = [];
      for (const slice of rowSlices(rows, width)) {
        const values = slice.map((_, i) => placeholders(width, i * width + 1, true)).join(', ');
        const result = await client.query(`${head} values ${values} ${tail}`, slice.flat() as unknown[]);
        for (const r of result.rows) out.push(r as T);
      }
      return out;
    },
    all: async <T>(query: SQL) => {
      const q = compile(query);
      return (await client.query(q.sql, q.params)).rows as T[];
    },
    run: async (query: SQL) => {
      const q = compile(query);
      return (await client.query(q.sql, q.params)).rowCount ?? 0;
    },
    transaction: async <T>(fn: (tx: Db) => Promise<T>) => {
      if (inTransaction) throw new Error('nested transaction');
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await fn(through(conn, true));
        await conn.query('COMMIT');
        return result;
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        conn.release();
      }
    },
  });
  return through(pool, false);
}
