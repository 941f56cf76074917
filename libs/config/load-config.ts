/**
 * Configuration is read once at start from defaults, a YAML config file, the environment and flags
 * (flags win over the environment, which wins over the file), validated with every error reported
 * together, then frozen.
 */
import type { HostEchoMode } from '../compare/host-echo.js';
import type { IngressMode } from '../capture/ingress-mode.js';
import { ConfigInvalidError } from '../errors.js';
import { readConfigFile, settingText } from './config-file.js';
import { COMPARISON_FILE_KEYS, parseComparisonConfig, type ComparisonConfig } from './comparison-config.js';
import { commandSpec, envOf, flagOf, optionSpec, type CommandSpec } from './commands.js';
import { OPTIONS, type CommandName, type OptionKey, type OptionSpec } from './options.js';
import { parseValue, type HostPort, type ParsedValue } from './parse-value.js';
import { isLoopbackHost } from './loopback.js';

export interface ShadowDiffConfig {
  readonly primary: string | undefined;
  readonly shadow: string | undefined;
  readonly secondary: string | undefined;
  readonly listen: HostPort;
  readonly reportListen: HostPort;
  /** The ingress's admin port (/metrics, /healthz); undefined: no admin port. */
  readonly adminListen: HostPort | undefined;
  /** Ingress processes on the listening port (node:cluster); 1: the ingress runs in this process. */
  readonly ingressWorkers: number;
  readonly db: string;
  readonly run: string;
  readonly mirrorPercent: number;
  readonly mirrorMethods: readonly string[];
  readonly redis: string | undefined;
  readonly queuePrefix: string;
  readonly shadowHostSuffix: string;
  readonly shadowTimeoutMs: number;
  readonly shadowMaxInFlight: number;
  readonly shadowMaxInFlightBytes: number;
  readonly captureMaxBytes: number;
  readonly primaryTimeoutMs: number;
  /** Raw --trust-proxy value (validated); compiled by the ingress. */
  readonly trustProxy: string | undefined;
  readonly requestTimeoutMs: number;
  /** Node's headersTimeout on the ingress and the report API (libs/http/server-timeouts.ts). */
  readonly headersTimeoutMs: number;
  readonly queueMaxBacklog: number;
  readonly queueMaxBacklogBytes: number;
  readonly comparatorConcurrency: number;
  /** undefined: one less than the cores (threaded-comparator.ts); 0: on the main thread. */
  readonly comparatorThreads: number | undefined;
  readonly maxEndpoints: number;
  readonly jobLockMs: number;
  readonly ignoreHeaders: readonly string[];
  readonly noiseRelativeThreshold: number;
  readonly noiseAbsoluteThreshold: number;
  readonly reportToken: string | undefined;
  /** Normalized origins (libs/http/origin.ts) replays started through the report API may target. */
  readonly replayAllow: readonly string[];
  readonly maxReplays: number;
  /** Serve the report without a token on a network address (an explicit opt-out). */
  readonly allowUnauthenticated: boolean;
  /** Milliseconds; undefined keeps everything. */
  readonly retention: number | undefined;
  /** Milliseconds; undefined keeps rollups (--rollup-retention). */
  readonly rollupRetention: number | undefined;
  readonly redactHeaders: readonly string[];
  readonly redactJsonPaths: readonly string[];
  readonly redactQueryParams: readonly string[];
  readonly captureMax: number;
  /** Milliseconds; undefined keeps captures until captureMax pushes them out. */
  readonly captureMaxAge: number | undefined;
  readonly hostEcho: HostEchoMode;
  /** inline (the proxy in front of the primary) or mirror-target (the destination of a mesh's mirror). */
  readonly mode: IngressMode;
  /** mirror-target: the mesh's suffix removed from the received Host for the primary and the secondary. */
  readonly stripHostSuffix: string;
  /** replay --har: the origin replayed; undefined: the one with the most entries. */
  readonly harOrigin: string | undefined;
  readonly logLevel: string;
  // replay and export
  readonly fromRun: string | undefined;
  readonly har: string | undefined;
  readonly gor: string | undefined;
  readonly candidate: string | undefined;
  /** 'recorded' or the URL of a live baseline. */
  readonly baseline: string;
  readonly replayRun: string | undefined;
  readonly append: boolean;
  /** Requests per second; undefined: unlimited. */
  readonly replayRate: number | undefined;
  readonly replayConcurrency: number;
  readonly replayLimit: number | undefined;
  readonly replayTimeoutMs: number;
  readonly allowUnsafe: boolean;
  readonly json: boolean;
  // gate (raw: the gate checks them)
  readonly reportUrl: string | undefined;
  readonly token: string | undefined;
  readonly gateRun: string | undefined;
  readonly maxMismatchRate: string | undefined;
  readonly minSamples: string | undefined;
  readonly endpoint: string | undefined;
  readonly maxEndpointMismatchRate: string | undefined;
  readonly baselineRun: string | undefined;
  readonly maxNewFields: string | undefined;
  // compare
  readonly compareBase: string | undefined;
  readonly compareHead: string | undefined;
  readonly since: string | undefined;
  readonly until: string | undefined;
  /** From the config file's `rules:` and `routes:` sections. */
  readonly comparison: ComparisonConfig;
}

export interface ConfigSources {
  /** Flag values by option key (commander's camelCase keys); undefined = not given. */
  flags?: Partial<Record<OptionKey, string | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML config file (from --config or SHADOW_DIFF_CONFIG). */
  configFile?: string | undefined;
  /** The command being configured: which settings it reads, requires and aliases. Absent: every shared setting. */
  command?: CommandName;
  /** Keys this command cannot run without; the command's own list when absent. */
  required?: readonly OptionKey[];
  /**
   * The flag that sets where the report API is served; set (by default for start and report-api),
   * the report may not listen on a network address without a token.
   */
  reportListenFlag?: string;
}

type Source = { where: string; raw: string };

function describe(spec: OptionSpec, command: CommandSpec | undefined): string {
  const flag = command ? flagOf(command, spec.key as OptionKey) : spec.flag;
  return `${flag} (env ${envOf(command, spec.key as OptionKey).join(' or ')}, config key '${spec.key}')`;
}

/** A setting's default, parsed: the one place a default is written is the option table. */
export function defaultValue(key: OptionKey): ParsedValue | undefined {
  const spec = optionSpec(key);
  if (!('default' in spec) || spec.default === undefined) return undefined;
  const parsed = parseValue(spec, spec.default);
  if (!parsed.ok) throw new Error(`the default of ${key} is invalid: ${parsed.error}`);
  return parsed.value;
}

/** Whether a command reads a setting from flags, the environment and the file (else: its default). */
function reads(command: CommandSpec | undefined, spec: OptionSpec): boolean {
  if ('only' in spec && spec.only) return command !== undefined && spec.only.includes(command.name);
  return command?.readsShared ?? true;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  for (const v of Object.values(value)) deepFreeze(v);
  Object.freeze(value);
}

/** Commands that serve the report API: they may not do so on a network address without a token. */
const SERVES_REPORT: ReadonlySet<CommandName> = new Set(['start', 'report-api']);

const showHostPort = ({ host, port }: HostPort) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Secure by default: no report on a network address without a token, unless the operator opts out. */
function checkReportExposure(values: Record<string, unknown>, flag: string, errors: string[]): void {
  const address = values.reportListen as HostPort | undefined;
  if (!address || isLoopbackHost(address.host) || values.reportToken !== undefined || values.allowUnauthenticated === true) return;
  // A token given but invalid is reported already.
  if (errors.some((e) => /REPORT_TOKEN|--report-token|'reportToken'/.test(e))) return;
  errors.push(
    `${flag} ${showHostPort(address)} is a network address and no report token is set: anyone who can reach it could read the ` +
      `captured traffic and start replays. Set a token of 16 characters or more with --report-token, REPORT_TOKEN or ` +
      `SHADOW_DIFF_REPORT_TOKEN; or listen on a loopback address (127.0.0.1, ::1, localhost); or, to serve it unauthenticated ` +
      `on purpose (behind your own auth proxy), pass --allow-unauthenticated (env SHADOW_DIFF_ALLOW_UNAUTHENTICATED=true).`,
  );
}

/** start keeps the embedded queue (and the comparator) in its one process: more ingress processes are `ingress`'s. */
function checkIngressWorkers(values: Record<string, unknown>, command: CommandSpec, errors: string[]): void {
  const workers = values.ingressWorkers as number | undefined;
  if (workers === undefined || workers <= 1) return;
  errors.push(
    `${flagOf(command, 'ingressWorkers')} ${workers}: start runs in one process (its embedded queue and comparator live there), so it takes 1. ` +
      'For more ingress processes, run `shadow-diff ingress --ingress-workers N --redis <url>` with `shadow-diff comparator` and `shadow-diff report-api` beside it.',
  );
}

export function loadConfig(sources: ConfigSources): ShadowDiffConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const errors: string[] = [];
  const command = sources.command ? commandSpec(sources.command) : undefined;
  // A client (gate) has no part in the services' config file.
  const configPath = command?.readsShared === false ? undefined : (sources.configFile ?? env.SHADOW_DIFF_CONFIG);
  const file = configPath ? readConfigFile(configPath) : {};

  const knownKeys = new Set<string>([...OPTIONS.map((o) => o.key), ...COMPARISON_FILE_KEYS]);
  for (const key of Object.keys(file)) {
    if (!knownKeys.has(key)) errors.push(`config file ${configPath}: unknown setting '${key}'`);
  }

  const values: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const key = spec.key as OptionKey;
    const where = command ? flagOf(command, key) : spec.flag;
    let source: Source | null = null;
    if (reads(command, spec)) {
      const aliasOf = command?.aliases?.[key];
      const flag = flags[key] ?? (aliasOf ? flags[aliasOf] : undefined);
      if (flag !== undefined) source = { where, raw: flag };
      if (!source) {
        // An empty variable means unset, for every setting of every command.
        const envName = envOf(command, key).find((name) => env[name] !== undefined && env[name] !== '');
        if (envName) source = { where: `env ${envName}`, raw: env[envName] as string };
      }
      if (!source && spec.key in file) {
        const raw = settingText(file[spec.key]);
        if (raw === undefined) {
          errors.push(`config file ${configPath}: '${spec.key}' must be a string, number or list`);
          continue;
        }
        source = { where: `config key '${spec.key}'`, raw };
      }
    }
    if (!source && 'default' in spec && spec.default !== undefined) source = { where: 'default', raw: spec.default };
    if (!source) {
      values[spec.key] = undefined;
      continue;
    }
    const parsed = parseValue(spec, source.raw);
    if (parsed.ok) values[spec.key] = parsed.value;
    else errors.push(`${source.where}: ${parsed.error}`);
  }

  for (const key of sources.required ?? command?.required ?? []) {
    const spec = optionSpec(key);
    const flag = command ? flagOf(command, key) : spec.flag;
    if (values[key] === undefined && !errors.some((e) => e.startsWith(flag))) {
      errors.push(`${describe(spec, command)} is required`);
    }
  }

  const exposureFlag = sources.reportListenFlag ?? (command && SERVES_REPORT.has(command.name) ? flagOf(command, 'reportListen') : undefined);
  if (exposureFlag) checkReportExposure(values, exposureFlag, errors);
  if (command?.name === 'start') checkIngressWorkers(values, command, errors);
  values.comparison = parseComparisonConfig(file, errors);

  if (errors.length > 0) {
    throw new ConfigInvalidError(`invalid configuration:\n  - ${errors.join('\n  - ')}`, { details: errors });
  }
  deepFreeze(values);
  return values as unknown as ShadowDiffConfig;
}
