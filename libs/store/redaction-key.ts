/**
 * The store's redaction key: random, created with the store, shared by every comparator that
 * writes it, so a redacted value hashes the same in every process and across restarts.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Store } from './open-store.js';
import { storeMeta } from './schema/index.js';

const KEY = 'redaction_key';

export function redactionKey(store: Store): Buffer {
  store.db.insert(storeMeta).values({ key: KEY, value: randomBytes(32).toString('base64') }).onConflictDoNothing().run();
  const row = store.db.select().from(storeMeta).where(eq(storeMeta.key, KEY)).get();
  if (!row) throw new Error('the store has no redaction key');
  return Buffer.from(row.value, 'base64');
}
