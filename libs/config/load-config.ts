/**
 * Configuration is read once at start from defaults, a YAML config file, the environment and flags
 * (flags win over the environment, which wins over the file), validated with every error reported
 * together, then frozen.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ShadowDiffError } from '../errors.js';
import { COMPARISON_FILE_KEYS, parseComparisonConfig, type ComparisonConfig } from './comparison-config.js';
import { OPTIONS, type OptionKey, type OptionSpec } from './options.js';
import { isLoopbackHost } from './loopback.js';
import { parseValue, type HostPort } from './parse-value.js';

export interface ShadowDiffConfig {
  readonly primary: string | undefined;
  readonly shadow: string | undefined;
  readonly secondary: string | undefined;
  readonly listen: HostPort;
  readonly reportListen: HostPort;
  /** The ingress's admin port (/metrics, /healthz); undefined: no admin port. */
  readonly adminListen: HostPort | undefined;
  readonly db: string;
  readonly run: string;
  readonly mirrorPercent: number;
  readonly mirrorMethods: readonly string[];
  readonly redis: string | undefined;
  readonly queuePrefix: string;
  readonly shadowHostSuffix: string;
  readonly shadowTimeoutMs: number;
  readonly shadowMaxInFlight: number;
  readonly captureMaxBytes: number;
  readonly primaryTimeoutMs: number;
  readonly queueMaxBacklog: number;
  readonly comparatorConcurrency: number;
  readonly jobLockMs: number;
  readonly ignoreHeaders: readonly string[];
  readonly noiseRelativeThreshold: number;
  readonly noiseAbsoluteThreshold: number;
  readonly reportToken: string | undefined;
  /** Serve the report without a token on a network address (an explicit opt-out). */
  readonly allowUnauthenticated: boolean;
  /** Milliseconds; undefined keeps everything. */
  readonly retention: number | undefined;
  readonly redactHeaders: readonly string[];
  readonly redactJsonPaths: readonly string[];
  readonly captureMax: number;
  /** Milliseconds; undefined keeps captures until captureMax pushes them out. */
  readonly captureMaxAge: number | undefined;
  readonly logLevel: string;
  /** From the config file's `rules:` and `routes:` sections. */
  readonly comparison: ComparisonConfig;
}

export interface ConfigSources {
  /** Flag values by option key (commander's camelCase keys); undefined = not given. */
  flags?: Partial<Record<OptionKey, string | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML config file (from --config or SHADOW_DIFF_CONFIG). */
  configFile?: string | undefined;
  /** Keys this command cannot run without. */
  required?: readonly OptionKey[];
  /**
   * The flag that sets where this command serves the report API (`--report-listen` for start,
   * `--listen` for report-api); set, the report may not listen on a network address without a token.
   */
  reportListenFlag?: string;
}

type Source = { where: string; raw: string };

function describe(spec: OptionSpec): string {
  return `${spec.flag} (env ${spec.env.join(' or ')}, config key '${spec.key}')`;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ShadowDiffError('SD_ERR_CONFIG_FILE', `cannot read config file ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ShadowDiffError('SD_ERR_CONFIG_FILE', `config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ShadowDiffError('SD_ERR_CONFIG_FILE', `config file ${path} must be a YAML mapping of settings`);
  }
  return doc as Record<string, unknown>;
}

function fileValueToRaw(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(',');
  return null;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  for (const v of Object.values(value)) deepFreeze(v);
  Object.freeze(value);
}

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

export function loadConfig(sources: ConfigSources): ShadowDiffConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const errors: string[] = [];
  const configPath = sources.configFile ?? env.SHADOW_DIFF_CONFIG;
  const file = configPath ? readConfigFile(configPath) : {};

  const knownKeys = new Set<string>([...OPTIONS.map((o) => o.key), ...COMPARISON_FILE_KEYS]);
  for (const key of Object.keys(file)) {
    if (!knownKeys.has(key)) errors.push(`config file ${configPath}: unknown setting '${key}'`);
  }

  const values: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    let source: Source | null = null;
    const flag = flags[spec.key];
    if (flag !== undefined) source = { where: spec.flag, raw: flag };
    if (!source) {
      const envName = spec.env.find((name) => env[name] !== undefined && env[name] !== '');
      if (envName) source = { where: `env ${envName}`, raw: env[envName] as string };
    }
    if (!source && spec.key in file) {
      const raw = fileValueToRaw(file[spec.key]);
      if (raw === null) {
        errors.push(`config file ${configPath}: '${spec.key}' must be a string, number or list`);
        continue;
      }
      source = { where: `config key '${spec.key}'`, raw };
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

  for (const key of sources.required ?? []) {
    const spec = OPTIONS.find((o) => o.key === key);
    if (spec && values[key] === undefined && !errors.some((e) => e.startsWith(spec.flag))) {
      errors.push(`${describe(spec)} is required`);
    }
  }

  if (sources.reportListenFlag) checkReportExposure(values, sources.reportListenFlag, errors);
  values.comparison = parseComparisonConfig(file, errors);

  if (errors.length > 0) {
    throw new ShadowDiffError('SD_ERR_CONFIG_INVALID', `invalid configuration:\n  - ${errors.join('\n  - ')}`, errors);
  }
  deepFreeze(values);
  return values as unknown as ShadowDiffConfig;
}
