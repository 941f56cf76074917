/**
 * Which settings each command takes as flags, which it cannot run without, and where a command
 * gives a flag another meaning (report-api's --listen is the report API's address). The CLI, the
 * loader and the docs all read it.
 */
import { OPTIONS, type CommandName, type OptionKey, type OptionSpec } from './options.js';

export interface CommandSpec {
  name: CommandName;
  summary: string;
  /** Settings offered as flags, in help order. */
  options: readonly OptionKey[];
  required: readonly OptionKey[];
  /**
   * target ← source: the command takes `target` through `source`'s flag, and `source`'s environment
   * names come after `target`'s own.
   */
  aliases?: Partial<Record<OptionKey, OptionKey>>;
  /** False for a client (gate): it reads only its own settings, none of the services'. */
  readsShared: boolean;
}

const PROXY: OptionKey[] = ['mode', 'primary', 'shadow', 'secondary', 'listen', 'run', 'mirrorPercent', 'mirrorMethods', 'shadowHostSuffix', 'stripHostSuffix', 'shadowTimeoutMs', 'shadowMaxInFlight', 'shadowMaxInFlightBytes', 'captureMaxBytes', 'primaryTimeoutMs', 'trustProxy', 'headersTimeoutMs', 'requestTimeoutMs', 'queueMaxBacklog', 'queueMaxBacklogBytes', 'adminListen', 'ingressWorkers', 'redactHeaders'];
const QUEUE: OptionKey[] = ['redis', 'queuePrefix'];
const COMPARATOR: OptionKey[] = ['db', 'comparatorConcurrency', 'maxEndpoints', 'jobLockMs', 'ignoreHeaders', 'retention', 'rollupRetention', 'redactHeaders', 'redactJsonPaths', 'redactQueryParams', 'captureMax', 'captureMaxAge', 'hostEcho'];
const REPORT: OptionKey[] = ['noiseRelativeThreshold', 'noiseAbsoluteThreshold', 'reportToken', 'allowUnauthenticated', 'replayAllow', 'maxReplays'];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'start',
    summary: 'Run ingress, comparator and report API in one process (embedded queue, or Redis with --redis).',
    options: [...new Set([...PROXY, 'reportListen', ...QUEUE, ...COMPARATOR, 'comparatorThreads', ...REPORT, 'logLevel'] as OptionKey[])],
    required: ['primary', 'shadow'],
    readsShared: true,
  },
  {
    name: 'ingress',
    summary: 'Run the mirroring proxy alone, publishing to BullMQ on Redis.',
    options: [...PROXY, ...QUEUE, 'logLevel'],
    required: ['primary', 'shadow', 'redis'],
    readsShared: true,
  },
  {
    name: 'comparator',
    summary: 'Run a comparator worker: BullMQ on Redis to the SQLite store.',
    options: [...QUEUE, ...COMPARATOR, 'queueMaxBacklog', 'queueMaxBacklogBytes', 'adminListen', 'logLevel'],
    required: ['redis', 'db'],
    readsShared: true,
  },
  {
    name: 'report-api',
    summary: 'Serve the report API over the SQLite store.',
    options: ['db', 'reportListen', 'run', 'maxEndpoints', 'trustProxy', 'headersTimeoutMs', 'requestTimeoutMs', ...QUEUE, ...REPORT, 'comparatorThreads', 'logLevel'],
    required: ['db'],
    aliases: { reportListen: 'listen' },
    readsShared: true,
  },
  {
    name: 'replay',
    summary: 'Replay captured traffic (a run, a HAR or a GoReplay file) against a candidate and compare. Exit 0 when it ran, 2 bad input, 3 unreachable.',
    options: ['db', 'fromRun', 'har', 'harOrigin', 'gor', 'candidate', 'baseline', 'replayRun', 'append', 'replayRate', 'replayConcurrency', 'replayLimit', 'replayTimeoutMs', 'allowUnsafe', 'json', 'hostEcho', ...QUEUE],
    required: ['candidate'],
    readsShared: true,
  },
  {
    name: 'export',
    summary: 'Write the traffic captured in a run as a HAR file, for other tools.',
    options: ['db', 'run', 'har'],
    required: ['har'],
    readsShared: true,
  },
  {
    name: 'gate',
    summary: 'Ask the report API for the rollout verdict; exit 0 pass, 1 fail, 2 inconclusive, 3 could not evaluate.',
    options: ['reportUrl', 'maxMismatchRate', 'minSamples', 'token', 'gateRun', 'endpoint', 'maxEndpointMismatchRate', 'baselineRun', 'maxNewFields', 'since', 'until', 'json'],
    required: ['reportUrl', 'maxMismatchRate', 'minSamples'],
    readsShared: false,
  },
  {
    name: 'compare',
    summary: 'Print what the head run fixed or broke against the base run, field by field. Exit 0 when printed, 2 bad input, 3 unreachable.',
    options: ['reportUrl', 'compareBase', 'compareHead', 'token', 'json'],
    required: ['reportUrl', 'compareBase', 'compareHead'],
    readsShared: false,
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown command ${name}`);
  return spec;
}

export function optionSpec(key: OptionKey): OptionSpec {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`unknown option ${key}`);
  return spec;
}

/** The flag a command takes a setting through (its alias's flag where it has one). */
export function flagOf(command: CommandSpec, key: OptionKey): string {
  const source = command.aliases?.[key];
  return optionSpec(source ?? key).flag;
}

/** The environment names a command reads a setting from, in order. */
export function envOf(command: CommandSpec | undefined, key: OptionKey): readonly string[] {
  const source = command?.aliases?.[key];
  return [...optionSpec(key).env, ...(source ? optionSpec(source).env : [])];
}
