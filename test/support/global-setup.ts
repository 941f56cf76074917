/**
 * Tests of the BullMQ path use a real Redis: REDIS_URL if set, else 127.0.0.1:6379, else a private
 * redis-server started here. Tests of the PostgreSQL store likewise get `pgUrl`: DATABASE_URL, else
 * 127.0.0.1:5432, else a private cluster (postgres-server.ts). Without one the run stops with a
 * message saying how to get it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { THREADS_FROM_DIST_ENV } from '../../services/comparator/comparator-pool.js';
import { ensureDist } from './build-dist.js';
import { freePort } from './cli-process.js';
import { dropDatabases, pgAnswers, startPrivateCluster, type PrivateCluster } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** A PostgreSQL URL whose user may CREATE DATABASE; tests make their own (tempPgDb). */
    pgUrl: string;
    /** This run's prefix for the test databases, `sdtest_<hex>_`: dropped at the end of the run. */
    pgDbPrefix: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

let privateRedis: ChildProcess | null = null;

let privatePg: PrivateCluster | null = null;
let pgUrl: string | null = null;
const pgDbPrefix = `sdtest_${randomBytes(4).toString('hex')}_`;

async function setupPostgres(project: TestProject): Promise<void> {
  const candidates = [process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres'].filter((u): u is string => Boolean(u));
  for (const url of candidates) {
    if (await pgAnswers(url)) {
      pgUrl = url;
      break;
    }
  }
  if (!pgUrl) {
    privatePg = await startPrivateCluster();
    pgUrl = privatePg.url;
  }
  project.provide('pgUrl', pgUrl);
  project.provide('pgDbPrefix', pgDbPrefix);
}

export async function setup(project: TestProject): Promise<void> {
  ensureDist();
  // The vitest workers, forked after this, inherit it: their comparator threads load dist/.
  process.env[THREADS_FROM_DIST_ENV] = '1';
  await setupPostgres(project);
  await setupRedis(project);
}

async function setupRedis(project: TestProject): Promise<void> {
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter((u): u is string => Boolean(u));
  for (const url of candidates) {
    if (await answers(url)) {
      project.provide('redisUrl', url);
      return;
    }
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'The tests need Redis: set REDIS_URL, or run one on 127.0.0.1:6379, or install redis-server (apt-get install -y redis-server) so the tests can start a private one.',
    );
  }
  const port = await freePort();
  privateRedis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(url))) throw new Error(`a private redis-server on port ${port} did not answer`);
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  privateRedis?.kill('SIGTERM');
  // Databases a test file could not drop (a crash, a timeout) go with the run.
  if (pgUrl) await dropDatabases(pgUrl, pgDbPrefix).catch(() => {});
  privatePg?.stop();
}
