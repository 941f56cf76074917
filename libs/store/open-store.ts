/** Opens the SQLite store (WAL) and applies the drizzle-kit migrations shipped in migrations/. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ShadowDiffError } from '../errors.js';
import * as schema from './schema/index.js';

export type StoreDb = BetterSQLite3Database<typeof schema>;

export interface Store {
  db: StoreDb;
  sqlite: Database.Database;
  close(): void;
}

/** migrations/ sits at the package root: two levels up from the sources, three from dist/. */
function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = resolve(here, up, 'migrations');
    if (existsSync(resolve(candidate, 'meta/_journal.json'))) return candidate;
  }
  throw new ShadowDiffError('SD_ERR_STORE_UNAVAILABLE', `migrations folder not found above ${here}`);
}

export function openStore(file: string): Store {
  let sqlite: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Several comparator processes may write one file: wait for the lock rather than fail at once.
    sqlite.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new ShadowDiffError('SD_ERR_STORE_UNAVAILABLE', `cannot open store ${file}: ${(error as Error).message}`);
  }
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: migrationsFolder() });
  return {
    db,
    sqlite,
    close: () => sqlite.close(),
  };
}
