/** The real `shadow-diff` CLI as a child process, for tests about processes (kill, restart, SIGTERM). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { CLI_ENTRY } from './build-dist.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a ready line says: `shadow-diff start: ingress http://127.0.0.1:41234, report http://…; queue embedded`. */
export interface Ready {
  /** Each service's URL by name (ingress, report, admin), as the process bound it. */
  urls: Record<string, string>;
  /** The port of each of those URLs. */
  ports: Record<string, number>;
  /** The port of one of them; throws when the line names no such service. */
  port(name: string): number;
}

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the bound addresses when the process printed its ready line; rejects if it exits first. */
  ready(timeoutMs?: number): Promise<Ready>;
  exited(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const READY_LINE = /^shadow-diff [a-z-]+: (.*)$/m;

export function parseReady(line: string): Ready {
  const ready: Ready = {
    urls: {},
    ports: {},
    port(name) {
      const port = this.ports[name];
      if (port === undefined) throw new Error(`the ready line names no ${name}: ${line}`);
      return port;
    },
  };
  for (const [, name, url] of line.matchAll(/(?:^|, )([a-z]+) (https?:\/\/\S+?)(?=,|;|$)/g)) {
    if (!name || !url) continue;
    ready.urls[name] = url;
    ready.ports[name] = Number(new URL(url).port);
  }
  return ready;
}

/** Runs the built CLI (dist/, kept current by global-setup.ts): half the start-up time of tsx. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHADOW_DIFF_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    ready: (timeoutMs = 15_000) =>
      new Promise<Ready>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
        const check = () => {
          const line = READY_LINE.exec(out);
          if (line) {
            clearTimeout(timer);
            resolve(parseReady(line[1] ?? ''));
          }
        };
        child.stderr?.on('data', check);
        void exit.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} before ready:\n${out}`));
        });
        check();
      }),
    exited: () => exit,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports below the kernel's ephemeral range (32768–60999), which port-0 listeners and outgoing
 * connections draw from: a port probed here cannot be taken by one of them before it is used.
 * Each process gets its own block, so parallel test files do not pick the same one either.
 */
const FIXED_FIRST = 20_000;
const FIXED_BLOCK = 400;
const FIXED_BLOCKS = 30; // 20000–31999
let fixedNext = 0;

/**
 * A port to give a process in advance: only where it must be known before the process starts
 * (a restart on the same port, a redis-server, postgres or nginx config). Otherwise listen on
 * port 0 and read the bound address from `ready()`.
 */
export async function freePort(): Promise<number> {
  const pool = Number(process.env.VITEST_POOL_ID ?? 0);
  const block = (process.pid + pool * 7) % FIXED_BLOCKS;
  for (let tries = 0; tries < FIXED_BLOCK; tries++) {
    const port = FIXED_FIRST + block * FIXED_BLOCK + (fixedNext++ % FIXED_BLOCK);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in block ${block}`);
}

/** Child processes a test starts: each one still running after the test is SIGKILLed. */
export function useChildren(): CliProcess[] {
  const children: CliProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null) {
        c.kill('SIGKILL');
        await c.exited();
      }
    }
  });
  return children;
}
