#!/usr/bin/env node
/** The `shadow-diff` command: picks a service (or all of them) and runs it until SIGTERM/SIGINT. */
import { Command, Option } from 'commander';
import { loadConfig, type ShadowDiffConfig } from '../../libs/config/load-config.js';
import { OPTIONS, type OptionKey } from '../../libs/config/options.js';
import { ShadowDiffError } from '../../libs/errors.js';
import { createLogger } from '../../libs/logger.js';
import { runAll, runComparator, runIngress, runReportApi, type Running } from './run-services.js';

type Runner = (config: ShadowDiffConfig, logger: ReturnType<typeof createLogger>) => Promise<Running>;

interface CommandSpec {
  name: string;
  summary: string;
  options: readonly OptionKey[];
  required: readonly OptionKey[];
  run: Runner;
  /** report-api's --listen is the report API's address. */
  listenIsReport?: boolean;
}

const PROXY_OPTIONS: OptionKey[] = ['primary', 'shadow', 'secondary', 'listen', 'run', 'mirrorPercent', 'mirrorMethods', 'shadowHostSuffix', 'shadowTimeoutMs', 'shadowMaxInFlight', 'captureMaxBytes', 'primaryTimeoutMs', 'queueMaxBacklog'];
const QUEUE_OPTIONS: OptionKey[] = ['redis', 'queuePrefix'];
const COMPARATOR_OPTIONS: OptionKey[] = ['db', 'comparatorConcurrency', 'jobLockMs', 'ignoreHeaders'];
const REPORT_OPTIONS: OptionKey[] = ['noiseRelativeThreshold', 'noiseAbsoluteThreshold'];

const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    summary: 'Run ingress, comparator and report API in one process (embedded queue, or Redis with --redis).',
    options: [...PROXY_OPTIONS, 'reportListen', ...QUEUE_OPTIONS, ...COMPARATOR_OPTIONS, ...REPORT_OPTIONS, 'logLevel'],
    required: ['primary', 'shadow'],
    run: runAll,
  },
  {
    name: 'ingress',
    summary: 'Run the mirroring proxy alone, publishing to BullMQ on Redis.',
    options: [...PROXY_OPTIONS, ...QUEUE_OPTIONS, 'logLevel'],
    required: ['primary', 'shadow', 'redis'],
    run: runIngress,
  },
  {
    name: 'comparator',
    summary: 'Run a comparator worker: BullMQ on Redis to the SQLite store.',
    options: [...QUEUE_OPTIONS, ...COMPARATOR_OPTIONS, 'queueMaxBacklog', 'logLevel'],
    required: ['redis', 'db'],
    run: runComparator,
  },
  {
    name: 'report-api',
    summary: 'Serve the report API over the SQLite store.',
    options: ['db', 'listen', 'run', ...QUEUE_OPTIONS, ...REPORT_OPTIONS, 'logLevel'],
    required: ['db'],
    run: runReportApi,
    listenIsReport: true,
  },
];

function describeOption(key: OptionKey, listenIsReport: boolean): Option {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`unknown option ${key}`);
  const defaultText = 'default' in spec && spec.default !== undefined ? ` [default: ${listenIsReport && key === 'listen' ? '127.0.0.1:8081' : spec.default || '""'}]` : '';
  return new Option(`${spec.flag} <value>`, `${spec.description}${defaultText} (env ${spec.env.join(', ')})`);
}

async function serve(spec: CommandSpec, flagValues: Record<string, string | undefined>, configFile: string | undefined): Promise<void> {
  const flags: Partial<Record<OptionKey, string>> = {};
  for (const key of spec.options) {
    const optionSpec = OPTIONS.find((o) => o.key === key);
    if (!optionSpec) continue;
    const attribute = optionSpec.flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const value = flagValues[attribute];
    if (value !== undefined) flags[key] = value;
  }
  const env = { ...process.env };
  if (spec.listenIsReport) {
    if (flags.listen !== undefined) flags.reportListen = flags.listen;
    delete flags.listen;
    if (env.SHADOW_DIFF_LISTEN && !env.SHADOW_DIFF_REPORT_LISTEN) env.SHADOW_DIFF_REPORT_LISTEN = env.SHADOW_DIFF_LISTEN;
  }
  const config = loadConfig({ flags, env, configFile, required: spec.required });
  const logger = createLogger(config.logLevel, `shadow-diff ${spec.name}`);
  const running = await spec.run(config, logger);
  const where = Object.entries(running.urls).map(([k, v]) => `${k} ${v}`);
  const storeInfo = spec.options.includes('db') ? { db: config.db } : {};
  logger.info({ ...running.urls, queue: running.queue?.kind ?? 'none', ...storeInfo, run: config.run }, `shadow-diff ${spec.name} ready`);
  process.stderr.write(`shadow-diff ${spec.name}: ${where.join(', ') || 'working'}; queue ${running.queue?.kind ?? 'none'}${config.redis ? ` (${config.queuePrefix})` : ''}\n`);

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

export function buildProgram(): Command {
  const program = new Command('shadow-diff')
    .description('Mirror traffic to a candidate, compare its responses with production, and gate the rollout.')
    .showHelpAfterError();
  for (const spec of COMMANDS) {
    const command = program.command(spec.name).description(spec.summary);
    for (const key of spec.options) command.addOption(describeOption(key, spec.listenIsReport === true));
    command.addOption(new Option('--config <file>', 'YAML config file with the same settings (camelCase keys); flags win (env SHADOW_DIFF_CONFIG)'));
    command.action(async (values: Record<string, string | undefined>) => {
      await serve(spec, values, values.config);
    });
  }
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof ShadowDiffError) {
      process.stderr.write(`shadow-diff: ${error.code}: ${error.message}\n`);
    } else {
      process.stderr.write(`shadow-diff: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exit(2);
  }
}

await main(process.argv);
