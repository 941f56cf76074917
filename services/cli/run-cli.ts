/**
 * The `shadow-diff` command line: a service (or all of them), run until SIGTERM/SIGINT, or a
 * one-shot command that ends with an exit code. main.ts runs it for the process; tests call it
 * in-process for the one-shot commands.
 */
import { Command, Option } from 'commander';
import { COMMANDS, flagOf, envOf, optionSpec, type CommandSpec } from '../../libs/config/commands.js';
import { loadConfig, type ShadowDiffConfig } from '../../libs/config/load-config.js';
import { isLoopbackHost } from '../../libs/config/loopback.js';
import type { CommandName, OptionKey } from '../../libs/config/options.js';
import { ShadowDiffError } from '../../libs/errors.js';
import { createLogger } from '../../libs/logger.js';
import type { CliIo } from './cli-io.js';
import { runCompare } from './compare-command.js';
import { GATE_EXIT, runGate } from './gate-command.js';
import { packageVersion } from './package-version.js';
import { REPLAY_EXIT, runExportCommand, runReplayCommand } from './replay-command.js';
import { isIngressWorker } from '../ingress/ingress-cluster.js';
import { runAll, runComparator, runIngress, runReportApi, type Running } from './run-services.js';

type Runner = (config: ShadowDiffConfig, logger: ReturnType<typeof createLogger>) => Promise<Running>;

const SERVICES: Partial<Record<CommandName, Runner>> = { start: runAll, ingress: runIngress, comparator: runComparator, 'report-api': runReportApi };

/** Thrown to end a one-shot command with its exit code, where the process would have exited. */
class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Exit code for bad arguments: the gate's "could not evaluate" is 3, every other command's is 2. */
const usageExit = (name: CommandName) => (name === 'gate' ? GATE_EXIT.error : REPLAY_EXIT.usage);

/** commander's attribute name for a flag: --max-mismatch-rate → maxMismatchRate. */
const attributeOf = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

function describeOption(command: CommandSpec, key: OptionKey): Option {
  const spec = optionSpec(key);
  const flag = flagOf(command, key);
  const boolean = spec.kind === 'boolean';
  const shown = boolean || !('default' in spec) || spec.default === undefined ? '' : ` [default: ${spec.default || '""'}]`;
  return new Option(boolean ? flag : `${flag} <value>`, `${spec.description}${shown} (env ${envOf(command, key).join(', ')})`);
}

/** commander's values by option key; a boolean flag given is 'true'. */
function flagValues(command: CommandSpec, values: Record<string, string | boolean | undefined>): Partial<Record<OptionKey, string>> {
  const flags: Partial<Record<OptionKey, string>> = {};
  for (const key of command.options) {
    const value = values[attributeOf(flagOf(command, key))];
    if (value !== undefined) flags[key] = String(value);
  }
  return flags;
}

/** Reads the configuration, or says what is wrong and exits with the command's usage code. */
function configure(command: CommandSpec, values: Record<string, string | boolean | undefined>, io: CliIo): ShadowDiffConfig {
  try {
    return loadConfig({ command: command.name, flags: flagValues(command, values), env: io.env, configFile: values.config as string | undefined });
  } catch (error) {
    if (!(error instanceof ShadowDiffError)) throw error;
    io.stderr(`shadow-diff ${command.name}: ${error.code}: ${error.message}\n`);
    throw new CliExit(usageExit(command.name));
  }
}

async function serve(command: CommandSpec, run: Runner, config: ShadowDiffConfig): Promise<void> {
  const logger = createLogger(config.logLevel, `shadow-diff ${command.name}`);
  if (command.options.includes('reportListen') && !config.reportToken && !isLoopbackHost(config.reportListen.host)) {
    logger.warn({ reportListen: config.reportListen }, 'the report API serves a network address without a token (--allow-unauthenticated)');
  }
  const running = await run(config, logger);
  const where = Object.entries(running.urls).map(([k, v]) => `${k} ${v}`);
  if (command.options.includes('mode') && config.mode === 'mirror-target') where.push('mode mirror-target');
  if (command.name === 'ingress' && config.ingressWorkers > 1) where.push(`${config.ingressWorkers} workers`);
  const storeInfo = command.options.includes('db') ? { db: config.db } : {};
  // The primary of --ingress-workers holds no queue itself: its workers publish to Redis.
  const queueKind = running.queue?.kind ?? (config.redis && command.name === 'ingress' ? 'bullmq' : 'none');
  logger.info({ ...running.urls, ...(command.options.includes('mode') ? { mode: config.mode } : {}), queue: queueKind, ...storeInfo, run: config.run }, `shadow-diff ${command.name} ready`);
  // One ready line per command: a worker's readiness is its primary's to announce.
  if (!isIngressWorker()) process.stderr.write(`shadow-diff ${command.name}: ${where.join(', ') || 'working'}; queue ${queueKind}${config.redis ? ` (${config.queuePrefix})` : ''}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing what is in flight');
    running
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Runs the command: null for a service (it runs on), else the one-shot command's exit code. */
async function act(command: CommandSpec, config: ShadowDiffConfig, io: CliIo): Promise<number | null> {
  const service = SERVICES[command.name];
  if (service) {
    await serve(command, service, config);
    return null;
  }
  const out = (line: string) => io.stdout(`${line}\n`);
  const err = (line: string) => io.stderr(`${line}\n`);
  if (command.name === 'replay') return runReplayCommand(config, io);
  if (command.name === 'export') return runExportCommand(config, io);
  if (command.name === 'compare') {
    return runCompare({ report: config.reportUrl as string, base: config.compareBase as string, head: config.compareHead as string, token: config.token, json: config.json }, out, err);
  }
  return runGate(
    {
      report: config.reportUrl as string,
      token: config.token,
      run: config.gateRun,
      maxMismatchRate: config.maxMismatchRate as string,
      minSamples: config.minSamples as string,
      endpoint: config.endpoint,
      maxEndpointMismatchRate: config.maxEndpointMismatchRate,
      baselineRun: config.baselineRun,
      maxNewFields: config.maxNewFields,
      since: config.since,
      until: config.until,
      json: config.json,
    },
    out,
    err,
  );
}

function buildProgram(io: CliIo, done: (code: number | null) => void): Command {
  const program = new Command('shadow-diff')
    .description('Mirror traffic to a candidate, compare its responses with production, and gate the rollout.')
    .version(packageVersion(), '-V, --version', "print shadow-diff's version and exit")
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride((error) => {
      throw new CliExit(error.exitCode);
    });
  for (const spec of COMMANDS) {
    const command = program.command(spec.name).description(spec.summary).configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    for (const key of spec.options) command.addOption(describeOption(spec, key));
    if (spec.readsShared) {
      command.addOption(new Option('--config <file>', 'YAML config file with the same settings (camelCase keys); flags win (env SHADOW_DIFF_CONFIG)'));
    }
    command.exitOverride((error) => {
      throw new CliExit(error.exitCode === 0 ? 0 : usageExit(spec.name));
    });
    command.action(async (values: Record<string, string | boolean | undefined>) => {
      done(await act(spec, configure(spec, values, io), io));
    });
  }
  return program;
}

/**
 * Runs `argv` (node's, program path first) to its end: the exit code of a one-shot command, or
 * null once a service is up (it stops on SIGTERM/SIGINT and exits by itself).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number | null> {
  let code: number | null = 0;
  try {
    await buildProgram(io, (c) => (code = c)).parseAsync(argv as string[]);
    return code;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof ShadowDiffError) {
      io.stderr(`shadow-diff: ${error.code}: ${error.message}\n`);
    } else {
      io.stderr(`shadow-diff: ${(error as Error).stack ?? String(error)}\n`);
    }
    return 2;
  }
}
