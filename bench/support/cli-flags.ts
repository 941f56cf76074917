/**
 * Which flags a `shadow-diff` command takes, read from its `--help`: a setup that needs a flag the
 * CLI does not have yet (or no longer) is skipped with a note instead of failing the whole run, so
 * the benchmark works before and after a feature lands.
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from './servers.js';

/** The long flags (`--name`) a help text lists at the start of an option line. */
export function flagsInHelp(help: string): Set<string> {
  const flags = new Set<string>();
  for (const m of help.matchAll(/^\s{1,8}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)) flags.add(m[1] as string);
  return flags;
}

const cache = new Map<string, Set<string>>();

/** The flags of `shadow-diff <command>`, asked once per command and run. */
export function cliFlags(command: string): Set<string> {
  let flags = cache.get(command);
  if (!flags) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'services/cli/main.ts', command, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      timeout: 60_000,
    });
    flags = flagsInHelp(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    if (flags.size === 0) throw new Error(`shadow-diff ${command} --help listed no flags (exit ${r.status}): ${(r.stderr ?? '').slice(0, 500)}`);
    cache.set(command, flags);
  }
  return flags;
}

export const hasFlag = (command: string, flag: string): boolean => cliFlags(command).has(flag);
