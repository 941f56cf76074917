/**
 * Both stores for the tests: a SQLite file in a temp dir, or a fresh PostgreSQL database
 * (`sdtest_<random>`) on the run's server (global-setup.ts), dropped after the test file.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { openStore, type Store } from '../../libs/store/open-store.js';
import { dropDatabases } from './postgres-server.js';
import { tempDb } from './temp.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

const opened: Store[] = [];
const created: string[] = [];

// Registered when a test file imports this module: its stores are closed and its databases dropped
// when the file is done (the global teardown drops whatever a crashed file left). Scripts outside
// vitest (test/browser/take-screenshots.ts) import it too, through the harness: nothing to register.
if (process.env.VITEST) afterAll(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => {});
  if (created.length === 0) return;
  const url = inject('pgUrl');
  for (const name of created.splice(0)) await dropDatabases(url, name).catch(() => {});
});

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database `sdtest_<run>_<random>` and returns its URL. */
export async function tempPgDb(): Promise<string> {
  const server = inject('pgUrl');
  const name = `${inject('pgDbPrefix')}${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: server });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end().catch(() => {});
  }
  created.push(name);
  return withDatabase(server, name);
}

/** Where a fresh store of this kind lives: a temp file path or a new database's URL. */
export const tempStoreLocation = (kind: StoreKind): Promise<string> => (kind === 'postgres' ? tempPgDb() : Promise.resolve(tempDb()));

/** A fresh, migrated store of this kind, closed after the test file. */
export async function openTestStore(kind: StoreKind): Promise<Store> {
  const store = await openStore(await tempStoreLocation(kind));
  opened.push(store);
  return store;
}
