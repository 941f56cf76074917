/**
 * The CLI's one-shot commands (replay, export, gate, compare) run in the test's own process: the
 * same argument parsing, configuration and exit codes as `shadow-diff …`, without starting node.
 * Tests about processes (signals, exits of a running service) use cli-process.ts instead.
 */
import { runCli } from '../../services/cli/run-cli.js';

export interface CliRun {
  /** The exit code the process would have ended with. */
  code: number;
  /** stdout and stderr, interleaved as written. */
  output: string;
}

export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let output = '';
  const write = (text: string) => void (output += text);
  const code = await runCli(['node', 'shadow-diff', ...args], {
    // The environment spawnCli gives its child.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHADOW_DIFF_LOG_LEVEL: 'warn', ...env },
    stdout: write,
    stderr: write,
  });
  if (code === null) throw new Error(`${args[0]} is a service: run it with spawnCli`);
  return { code, output };
}

/** The same run, shaped like spawnCli's process (exited, output), so a test reads alike either way. */
export function cliInProcess(args: string[], env: Record<string, string> = {}): { exited(): Promise<number>; output(): string } {
  let output = '';
  const run = runCliInProcess(args, env).then((r) => {
    output = r.output;
    return r.code;
  });
  return { exited: () => run, output: () => output };
}
