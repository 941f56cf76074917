/**
 * Finds a PostgreSQL for the tests: DATABASE_URL if set, else 127.0.0.1:5432 (user postgres, trust),
 * else a private cluster started with the binaries of /usr/lib/postgresql/<version>/bin in a temp
 * dir on a free port. Without any of them the run stops with a message saying how to get one.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './cli-process.js';

export async function pgAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export const HOW_TO_GET_POSTGRES =
  'The tests need PostgreSQL: set DATABASE_URL (postgres://user@host:port/db, a user that may CREATE DATABASE), ' +
  'or run one on 127.0.0.1:5432 with user postgres and trust auth (apt-get install -y postgresql; ' +
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), ' +
  'or install the postgresql package so the tests can start a private cluster (/usr/lib/postgresql/*/bin).';

export interface PrivateCluster {
  url: string;
  stop(): void;
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error(`running as root and there is no postgres user to own a private cluster. ${HOW_TO_GET_POSTGRES}`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error(HOW_TO_GET_POSTGRES);
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'shadow-diff-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { encoding: 'utf8', cwd: dir, ...as });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}\n${HOW_TO_GET_POSTGRES}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '30', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (!(await pgAnswers(url))) throw new Error(`a private PostgreSQL on port ${port} did not answer (log: ${join(dir, 'log')})`);
  return {
    url,
    stop: () => {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { cwd: dir, stdio: 'ignore', ...as });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The databases the tests of one run created: `sdtest_<run>…`. */
export async function dropDatabases(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where left(datname, length($1)) = $1', [prefix]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end().catch(() => {});
  }
}
