/**
 * Child processes of the benchmarks (upstream servers, nginx, shadow-diff, wrk): every one is
 * spawned in a process group of its own and registered here, so that it is killed (with its own
 * children, e.g. nginx's worker) on a normal stop, on an error, on SIGINT/SIGTERM and on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Everything it printed on stdout and stderr so far (bounded to the last 64 KiB). */
  output(): string;
  /** Resolves with the exit code (or the signal) when it exits. */
  exited: Promise<number | string | null>;
  /** Resolves when `pattern` appears in its output; rejects if it exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM to its process group, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();
const OUTPUT_MAX = 64 * 1024;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Kills every child still registered, at once (for exit paths that cannot wait). */
export function killAllNow(): void {
  for (const child of live) signalGroup(child.pid, 'SIGKILL');
  live.clear();
}

/** Stops every child still registered, gracefully first. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(graceMs)));
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every benchmark process\n`);
      void stopAll(1000).finally(() => process.exit(130));
    });
  }
}

export function spawnChild(name: string, command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  hookExit();
  const proc = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: stop() reaches its children too, and a Ctrl-C in the terminal
    // goes to the bench only, which then stops everything in order.
    detached: true,
  });
  if (proc.pid === undefined) {
    proc.once('error', () => undefined); // reported just below
    throw new Error(`${name}: could not spawn ${command} (is it installed?)`);
  }
  const pid = proc.pid;
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > OUTPUT_MAX) out = out.slice(-OUTPUT_MAX);
    for (const l of listeners) l();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | string | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal));
    proc.once('error', (error) => {
      out += `\nspawn error: ${error.message}`;
      resolve(null);
    });
  });
  let gone = false;
  const child: Child = {
    name,
    process: proc,
    pid,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${pattern} after ${timeoutMs} ms; output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`${name}: exited (${code}) before ${pattern}; output:\n${out.slice(-4000)}`));
        });
        check();
      });
    },
    async stop(graceMs = 3000) {
      if (!gone) {
        signalGroup(pid, 'SIGTERM');
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          signalGroup(pid, 'SIGKILL');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 1000).unref())]);
        } else {
          // The leader is gone; make sure nothing of its group stays behind.
          signalGroup(pid, 'SIGKILL');
        }
      }
      live.delete(child);
    },
  };
  void exited.then(() => {
    gone = true;
  });
  live.add(child);
  return child;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Clock ticks per second of /proc/<pid>/stat. */
export const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function statOf(pid: number): { ppid: number; cpu: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    return { ppid, cpu };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) used so far by a process and its descendants. */
export function treeCpuSeconds(rootPid: number): number {
  const byParent = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = statOf(pid);
    if (!s) continue;
    cpu.set(pid, s.cpu);
    const siblings = byParent.get(s.ppid) ?? [];
    siblings.push(pid);
    byParent.set(s.ppid, siblings);
  }
  let total = 0;
  const todo = [rootPid];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    total += cpu.get(pid) ?? 0;
    todo.push(...(byParent.get(pid) ?? []));
  }
  return total;
}
