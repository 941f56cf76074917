/**
 * The store's redaction key: random, created with the store, shared by every comparator that
 * writes it, so a redacted value hashes the same in every process and across restarts.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Store } from './open-store.js';

const KEY = 'redaction_key';

export async function redactionKey(store: Store): Promise<Buffer> {
  // The first process to start creates it; every other one reads that one.
  await store.db.run(sql`insert into store_meta (key, value) values (${KEY}, ${randomBytes(32).toString('base64')}) on conflict (key) do nothing`);
  const [row] = await store.db.all<{ value: string }>(sql`select value from store_meta where key = ${KEY}`);
  if (!row) throw new Error('the store has no redaction key');
  return Buffer.from(row.value, 'base64');
}
