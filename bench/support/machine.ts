/** The machine a run happened on, and how busy other processes kept it while it ran. */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { CLOCK_TICKS } from './children.js';
import { NGINX, versionOf, WRK } from './servers.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  nginx: string;
  wrk: string;
  kernel: string;
  loadavg: number[];
}

export function machineInfo(): MachineInfo {
  let kernel = 'unknown';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // not Linux
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    nginx: versionOf(NGINX, ['-v']),
    wrk: versionOf(WRK, ['-v']),
    kernel: `Linux ${kernel}`,
    loadavg: loadavg(),
  };
}

/** CPU seconds of every process now, by pid. */
function allProcessesCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, Number(f[11]) + Number(f[12]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export interface OtherLoad {
  /** Cores used by processes that are not this benchmark or its children, over the window. */
  cores: number;
  /** Cores used by the whole machine over the window. */
  machineCores: number;
}

/** Busy and total clock ticks of all CPUs, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU ticks of the processes of this benchmark's tree that are alive now. */
function ourTicks(): Map<number, number> {
  const all = allProcessesCpu();
  const ours = descendants(process.pid);
  return new Map([...all].filter(([pid]) => ours.has(pid)));
}

/**
 * Starts watching how busy the machine is outside this benchmark (other jobs on a shared
 * machine): the whole machine's CPU time (/proc/stat) minus what this benchmark's processes used.
 * stop() takes the CPU seconds of the children that ran and exited inside the window (wrk), which
 * /proc no longer shows.
 */
export function watchOtherLoad(): { stop(exitedCpuSeconds?: number): OtherLoad } {
  const machineBefore = machineTicks();
  const oursBefore = ourTicks();
  const started = performance.now();
  return {
    stop(exitedCpuSeconds = 0) {
      const machineAfter = machineTicks();
      const oursAfter = ourTicks();
      let ours = 0;
      for (const [pid, ticks] of oursAfter) ours += ticks - (oursBefore.get(pid) ?? 0);
      const seconds = (performance.now() - started) / 1000;
      const machine = (machineAfter.busy - machineBefore.busy) / CLOCK_TICKS;
      const other = machine - ours / CLOCK_TICKS - exitedCpuSeconds;
      return { cores: Math.max(0, other) / seconds, machineCores: machine / seconds };
    },
  };
}

function descendants(root: number): Set<number> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
    } catch {
      // gone meanwhile
    }
  }
  const out = new Set<number>();
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    out.add(pid);
    todo.push(...(byParent.get(pid) ?? []));
  }
  return out;
}
