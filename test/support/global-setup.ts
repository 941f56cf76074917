/**
 * Tests of the BullMQ path use a real Redis: REDIS_URL if set, else 127.0.0.1:6379, else a private
 * redis-server started here. Without any of them the run stops with a message saying how to get one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import { freePort } from './cli-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
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

export async function setup(project: TestProject): Promise<void> {
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
}
