/** A private redis-server on a port of its own, for tests that stop and restart Redis under a process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

export async function stopRedis(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
