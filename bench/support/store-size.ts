/** The store's size on disk: the SQLite file with its WAL (and shared memory), or pg_database_size. */
import { statSync } from 'node:fs';
import pg from 'pg';

const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Bytes of a SQLite store: the database file, its -wal and its -shm. */
export function sqliteSizeBytes(file: string): number {
  return fileSize(file) + fileSize(`${file}-wal`) + fileSize(`${file}-shm`);
}

/** Bytes of the PostgreSQL database `url` names (tables, indexes, TOAST: pg_database_size). */
export async function postgresSizeBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>('select pg_database_size(current_database())::text as n');
    return Number(r.rows[0]?.n ?? NaN);
  } finally {
    await client.end();
  }
}

export async function storeSizeBytes(location: string): Promise<number> {
  return /^postgres(ql)?:\/\//i.test(location) ? postgresSizeBytes(location) : sqliteSizeBytes(location);
}

/** 1536 → "1.5 KiB", 3.2e9 → "3.0 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
