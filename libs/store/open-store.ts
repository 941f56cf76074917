/**
 * Opens the store and applies the migrations drizzle-kit generated for its dialect: SQLite for a file
 * path (the embedded default, one machine), PostgreSQL for a postgres:// URL (many machines).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { StoreUnavailableError } from '../errors.js';
import { postgresDb, sqliteDb, type Db, type Dialect } from './db.js';

export interface Store {
  readonly dialect: Dialect;
  /** Where it is, for logs: the file, or the URL without its password. */
  readonly location: string;
  readonly db: Db;
  /** True when the store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** migrations/<dialect> sits at the package root: three levels up from the sources, four from dist/. */
function migrationsFolder(dialect: 'sqlite' | 'pg'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = resolve(here, up, 'migrations', dialect);
    if (existsSync(resolve(candidate, 'meta/_journal.json'))) return candidate;
  }
  throw new StoreUnavailableError(`migrations/${dialect} not found above ${here}`);
}

function openSqlite(file: string): Store {
  let connection: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    connection = new Database(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    // Several comparator processes may write one file: wait for the lock rather than fail at once.
    connection.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new StoreUnavailableError(`cannot open store ${file}: ${(error as Error).message}`);
  }
  const orm = drizzleSqlite(connection);
  migrateSqlite(orm, { migrationsFolder: migrationsFolder('sqlite') });
  return {
    dialect: 'sqlite',
    location: file,
    db: sqliteDb(orm, connection),
    ping: async () => connection.open,
    close: async () => {
      connection.close();
    },
  };
}

/** The URL without its password, for logs and errors. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Comparators and report APIs of one deployment start together and each applies the migrations:
 * one at a time, under a session advisory lock held by one connection, so that the second finds
 * them applied instead of racing to create the same tables.
 */
async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // reported by the query that meets it
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('shadow-diff:migrations'))");
    await migratePg(drizzlePg(client), { migrationsFolder: migrationsFolder('pg') });
  } finally {
    // Ending the session releases the lock, even when the migration failed.
    await client.end().catch(() => {});
  }
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // an idle client's error: the next query reports it.
  try {
    await migratePostgres(url);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreUnavailableError(`cannot open store ${redactedUrl(url)}: ${(error as Error).message}`);
  }
  return {
    dialect: 'postgres',
    location: redactedUrl(url),
    db: postgresDb(pool),
    ping: async () => {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}

export async function openStore(location: string): Promise<Store> {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}
