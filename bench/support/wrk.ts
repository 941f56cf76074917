/** wrk as a child process, and a parser for its `--latency` report. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCK_TICKS, spawnChild } from './children.js';
import { tempDir, WRK } from './servers.js';

export interface WrkOptions {
  url: string;
  connections: number;
  threads: number;
  seconds: number;
  /** Milliseconds each connection waits after a response before its next request (a Lua `delay()`). */
  delayMs?: number;
}

export interface WrkResult {
  rps: number;
  requests: number;
  seconds: number;
  p50Ms: number;
  p75Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** CPU seconds wrk itself used. */
  cpuSeconds: number;
  /** The exact wrk command line. */
  command: string;
  raw: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms", "850.00us", "1.01s" → milliseconds. */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^([\d.]+)(us|ms|s|m|h)$/);
  if (!m) return NaN;
  return Number(m[1]) * (UNIT_MS[m[2] as string] ?? NaN);
}

export function parseWrk(raw: string): Omit<WrkResult, 'command' | 'raw' | 'cpuSeconds'> {
  const pct = (p: string) => parseDuration(raw.match(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'))?.[1] ?? '');
  const requests = raw.match(/^\s+(\d+) requests in ([\d.]+)(\w+)/m);
  const errors = raw.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  return {
    rps: Number(raw.match(/^Requests\/sec:\s+([\d.]+)/m)?.[1] ?? NaN),
    requests: Number(requests?.[1] ?? NaN),
    seconds: requests ? parseDuration(`${requests[2]}${requests[3]}`) / 1000 : NaN,
    p50Ms: pct('50'),
    p75Ms: pct('75'),
    p90Ms: pct('90'),
    p99Ms: pct('99'),
    maxMs: parseDuration(raw.match(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m)?.[1] ?? ''),
    non2xx: Number(raw.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0),
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
  };
}

const delayScripts = new Map<number, string>();
function delayScript(ms: number): string {
  let file = delayScripts.get(ms);
  if (!file) {
    file = join(tempDir('wrk'), `delay-${ms}ms.lua`);
    // wrk calls delay() before each request of a connection; the latency it records starts when
    // the request is written, after the delay.
    writeFileSync(file, `function delay()\n  return ${ms}\nend\n`);
    delayScripts.set(ms, file);
  }
  return file;
}

export async function runWrk(opts: WrkOptions): Promise<WrkResult> {
  const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '10s', '--latency'];
  if (opts.delayMs !== undefined && opts.delayMs > 0) args.push('-s', delayScript(opts.delayMs));
  args.push(`${opts.url}/items/1`);
  // Through sh, which prints its own /proc stat once wrk exits: its cutime + cstime are wrk's CPU.
  const child = spawnChild('wrk', '/bin/sh', ['-c', `"$0" "$@"; rc=$?; echo "wrk-cpu: $(cat /proc/$$/stat)"; exit $rc`, WRK, ...args]);
  const timer = setTimeout(() => void child.stop(1000), (opts.seconds + 30) * 1000);
  const code = await child.exited;
  clearTimeout(timer);
  await child.stop(100);
  const raw = child.output();
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${raw}`);
  const result = parseWrk(raw);
  if (!Number.isFinite(result.rps)) throw new Error(`could not parse wrk's output:\n${raw}`);
  const stat = raw.match(/^wrk-cpu: (.*)$/m)?.[1] ?? '';
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  return { ...result, cpuSeconds: Number.isFinite(cpuSeconds) ? cpuSeconds : 0, command: `wrk ${args.join(' ')}`, raw };
}
