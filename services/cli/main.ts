#!/usr/bin/env node
/** The `shadow-diff` command: picks a service (or all of them) and runs it until SIGTERM/SIGINT. */
import { Command, Option } from 'commander';
import { loadConfig, type ShadowDiffConfig } from '../../libs/config/load-config.js';
import { isLoopbackHost } from '../../libs/config/loopback.js';
import { OPTIONS, type OptionKey } from '../../libs/config/options.js';
import { ShadowDiffError } from '../../libs/errors.js';
import { createLogger } from '../../libs/logger.js';
import { GATE_EXIT, runGate } from './gate-command.js';
import { REPLAY_EXIT, runExportCommand, runReplayCommand } from './replay-command.js';
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
  /** The flag of the report API's address, for commands that serve it (checked: no token on a network address). */
  reportListenFlag?: string;
}

const PROXY_OPTIONS: OptionKey[] = ['primary', 'shadow', 'secondary', 'listen', 'run', 'mirrorPercent', 'mirrorMethods', 'shadowHostSuffix', 'shadowTimeoutMs', 'shadowMaxInFlight', 'captureMaxBytes', 'primaryTimeoutMs', 'queueMaxBacklog', 'adminListen', 'redactHeaders'];
const QUEUE_OPTIONS: OptionKey[] = ['redis', 'queuePrefix'];
const COMPARATOR_OPTIONS: OptionKey[] = ['db', 'comparatorConcurrency', 'jobLockMs', 'ignoreHeaders', 'retention', 'redactHeaders', 'redactJsonPaths', 'captureMax', 'captureMaxAge'];
const REPORT_OPTIONS: OptionKey[] = ['noiseRelativeThreshold', 'noiseAbsoluteThreshold', 'reportToken', 'allowUnauthenticated'];

const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    summary: 'Run ingress, comparator and report API in one process (embedded queue, or Redis with --redis).',
    options: [...PROXY_OPTIONS, 'reportListen', ...QUEUE_OPTIONS, ...COMPARATOR_OPTIONS, ...REPORT_OPTIONS, 'logLevel'],
    required: ['primary', 'shadow'],
    run: runAll,
    reportListenFlag: '--report-listen',
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
    reportListenFlag: '--listen',
  },
];

function describeOption(key: OptionKey, listenIsReport: boolean): Option {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`unknown option ${key}`);
  if (spec.kind === 'boolean') return new Option(spec.flag, `${spec.description} (env ${spec.env.join(', ')})`);
  const defaultText = 'default' in spec && spec.default !== undefined ? ` [default: ${listenIsReport && key === 'listen' ? '127.0.0.1:8081' : spec.default || '""'}]` : '';
  return new Option(`${spec.flag} <value>`, `${spec.description}${defaultText} (env ${spec.env.join(', ')})`);
}

async function serve(spec: CommandSpec, flagValues: Record<string, string | boolean | undefined>, configFile: string | undefined): Promise<void> {
  const flags: Partial<Record<OptionKey, string>> = {};
  for (const key of spec.options) {
    const optionSpec = OPTIONS.find((o) => o.key === key);
    if (!optionSpec) continue;
    const attribute = optionSpec.flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const value = flagValues[attribute];
    // A boolean flag (--allow-unauthenticated) is true when given.
    if (value !== undefined) flags[key] = String(value);
  }
  const env = { ...process.env };
  if (spec.listenIsReport) {
    if (flags.listen !== undefined) flags.reportListen = flags.listen;
    delete flags.listen;
    if (env.SHADOW_DIFF_LISTEN && !env.SHADOW_DIFF_REPORT_LISTEN) env.SHADOW_DIFF_REPORT_LISTEN = env.SHADOW_DIFF_LISTEN;
  }
  const config = loadConfig({ flags, env, configFile, required: spec.required, reportListenFlag: spec.reportListenFlag });
  const logger = createLogger(config.logLevel, `shadow-diff ${spec.name}`);
  if (spec.reportListenFlag && !config.reportToken && !isLoopbackHost(config.reportListen.host)) {
    logger.warn({ reportListen: config.reportListen }, 'the report API serves a network address without a token (--allow-unauthenticated)');
  }
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
    for (const key of new Set(spec.options)) command.addOption(describeOption(key, spec.listenIsReport === true));
    command.addOption(new Option('--config <file>', 'YAML config file with the same settings (camelCase keys); flags win (env SHADOW_DIFF_CONFIG)'));
    command.action(async (values: Record<string, string | boolean | undefined>) => {
      await serve(spec, values, typeof values.config === 'string' ? values.config : undefined);
    });
  }
  program
    .command('gate')
    .description('Ask the report API for the rollout verdict; exit 0 pass, 1 fail, 2 inconclusive, 3 could not evaluate.')
    .requiredOption('--report <url>', 'Report API base URL, e.g. http://127.0.0.1:8081')
    .requiredOption('--max-mismatch-rate <rate>', 'Highest acceptable mismatch rate, 0 to 1 (e.g. 0.01)')
    .requiredOption('--min-samples <n>', 'Fewer comparisons than this give an inconclusive verdict')
    .option('--token <token>', 'Bearer token when the report API has REPORT_TOKEN set (env REPORT_TOKEN)')
    .option('--run <name>', 'Run to gate on (default: the report API\'s run)')
    .option('--endpoint <endpoint>', 'Gate on one endpoint, e.g. "GET /reviews/:id"')
    .option('--max-endpoint-mismatch-rate <rate>', 'A limit every endpoint must meet too')
    .option('--since <when>', 'ISO 8601 date-time or duration back from now (PT30M)')
    .option('--until <when>', 'ISO 8601 date-time or duration back from now')
    .option('--json', 'Print the verdict as one JSON line')
    .exitOverride((error) => {
      // Bad arguments are "could not evaluate" (3), not a failed gate (1).
      process.exit(error.exitCode === 0 ? 0 : GATE_EXIT.error);
    })
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const code = await runGate({
        report: o.report as string,
        token: (o.token as string | undefined) ?? process.env.REPORT_TOKEN,
        run: o.run as string | undefined,
        maxMismatchRate: o.maxMismatchRate as string,
        minSamples: o.minSamples as string,
        endpoint: o.endpoint as string | undefined,
        maxEndpointMismatchRate: o.maxEndpointMismatchRate as string | undefined,
        since: o.since as string | undefined,
        until: o.until as string | undefined,
        json: o.json === true,
      });
      process.exit(code);
    });
  program
    .command('replay')
    .description('Replay captured traffic (a run, a HAR or a GoReplay file) against a candidate and compare. Exit 0 when it ran, 2 bad input, 3 unreachable.')
    .requiredOption('--db <file>', 'SQLite store: the source of --from-run and where the results land')
    .option('--from-run <run>', 'Replay the exchanges captured in this run')
    .option('--har <file>', 'Replay a HAR 1.2 file (its responses are the recorded baseline)')
    .option('--gor <file>', 'Replay a GoReplay file (.gor or .gor.gz)')
    .requiredOption('--candidate <url>', 'The version under test')
    .option('--baseline <recorded|url>', 'Compare with the recorded response, or with a live baseline URL', 'recorded')
    .option('--run <name>', 'Run to record into (default replay-<timestamp>)')
    .option('--rate <rps>', 'Requests per second (steady); unlimited when absent')
    .option('--concurrency <n>', 'Requests in flight at most', '8')
    .option('--limit <n>', 'Replay at most this many exchanges')
    .option('--timeout <ms>', 'Per-request timeout in milliseconds', '10000')
    .option('--allow-unsafe', 'Also replay methods other than GET, HEAD and OPTIONS', false)
    .option('--json', 'Print a final JSON line with the figures', false)
    .option('--redis <url>', 'Publish to BullMQ on Redis (a comparator must be running); default: compare in this process (env REDIS_URL)')
    .option('--queue-prefix <prefix>', 'Key prefix of the queue in Redis', 'shadow-diff')
    .option('--config <file>', 'YAML config with comparison rules and redaction')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : REPLAY_EXIT.usage))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const code = await runReplayCommand({
        db: o.db as string,
        fromRun: o.fromRun as string | undefined,
        har: o.har as string | undefined,
        gor: o.gor as string | undefined,
        candidate: o.candidate as string,
        baseline: o.baseline as string,
        run: o.run as string | undefined,
        rate: o.rate as string | undefined,
        concurrency: o.concurrency as string,
        limit: o.limit as string | undefined,
        timeout: o.timeout as string,
        allowUnsafe: o.allowUnsafe === true,
        json: o.json === true,
        redis: (o.redis as string | undefined) ?? process.env.REDIS_URL,
        queuePrefix: o.queuePrefix as string | undefined,
        config: o.config as string | undefined,
      });
      process.exit(code);
    });

  program
    .command('export')
    .description('Write the traffic captured in a run as a HAR file, for other tools.')
    .requiredOption('--db <file>', 'SQLite store')
    .requiredOption('--run <run>', 'Run whose captures to export')
    .requiredOption('--har <file>', 'HAR file to write')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : REPLAY_EXIT.usage))
    .action((o: { db: string; run: string; har: string }) => process.exit(runExportCommand(o)));

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
