/**
 * The option table: every setting once, with its flag, environment variable, config-file key,
 * kind and default. The CLI, the env reader, the YAML reader and the docs all derive from it.
 */

export type OptionKind = 'url' | 'redisUrl' | 'hostPort' | 'int' | 'percent' | 'duration' | 'bytes' | 'methods' | 'list' | 'string' | 'path' | 'boolean';

export interface OptionSpec {
  /** Key in the config object and in the YAML config file. */
  key: string;
  flag: string;
  env: string[];
  kind: OptionKind;
  description: string;
  default?: string;
  /** For numbers: inclusive bounds. */
  min?: number;
  max?: number;
}

const opt = (s: OptionSpec) => s;

export const OPTIONS = [
  opt({ key: 'primary', flag: '--primary', env: ['SHADOW_DIFF_PRIMARY'], kind: 'url', description: 'Base URL of the primary (the version in production).' }),
  opt({ key: 'shadow', flag: '--shadow', env: ['SHADOW_DIFF_SHADOW'], kind: 'url', description: 'Base URL of the shadow (the candidate version).' }),
  opt({ key: 'secondary', flag: '--secondary', env: ['SHADOW_DIFF_SECONDARY'], kind: 'url', description: 'Base URL of a second instance of the primary version: it gets the mirrored requests too, and what it differs on is noise.' }),
  opt({ key: 'listen', flag: '--listen', env: ['SHADOW_DIFF_LISTEN'], kind: 'hostPort', default: '127.0.0.1:8080', description: 'Where the ingress (or, for report-api, the report API) listens.' }),
  opt({ key: 'reportListen', flag: '--report-listen', env: ['SHADOW_DIFF_REPORT_LISTEN'], kind: 'hostPort', default: '127.0.0.1:8081', description: 'Where the report API listens (start).' }),
  opt({ key: 'adminListen', flag: '--admin-listen', env: ['SHADOW_DIFF_ADMIN_LISTEN'], kind: 'hostPort', description: "Where the ingress serves its own /metrics (Prometheus) and /healthz; off unless set (ingress, start)." }),
  opt({ key: 'db', flag: '--db', env: ['SHADOW_DIFF_DB'], kind: 'path', default: './shadow-diff.db', description: 'SQLite file of the store.' }),
  opt({ key: 'run', flag: '--run', env: ['SHADOW_DIFF_RUN'], kind: 'string', default: 'live', description: 'Run name the mirrored exchanges are recorded under.' }),
  opt({ key: 'mirrorPercent', flag: '--mirror-percent', env: ['SHADOW_DIFF_MIRROR_PERCENT'], kind: 'percent', default: '100', min: 0, max: 100, description: 'Percentage of eligible requests mirrored to the shadow (0-100).' }),
  opt({ key: 'mirrorMethods', flag: '--mirror-methods', env: ['SHADOW_DIFF_MIRROR_METHODS'], kind: 'methods', default: 'GET,HEAD,OPTIONS', description: 'Comma-separated HTTP methods that are mirrored; any other method goes to the primary only.' }),
  opt({ key: 'redis', flag: '--redis', env: ['SHADOW_DIFF_REDIS', 'REDIS_URL'], kind: 'redisUrl', description: 'Redis URL: use BullMQ on Redis as the queue (distributed mode).' }),
  opt({ key: 'queuePrefix', flag: '--queue-prefix', env: ['SHADOW_DIFF_QUEUE_PREFIX'], kind: 'string', default: 'shadow-diff', description: 'Key prefix of the queue in Redis: separate deployments can share one Redis.' }),
  opt({ key: 'shadowHostSuffix', flag: '--shadow-host-suffix', env: ['SHADOW_DIFF_SHADOW_HOST_SUFFIX'], kind: 'string', default: '-shadow', description: "Appended to the host name of the client's Host header on the shadow request; empty disables it." }),
  opt({ key: 'shadowTimeoutMs', flag: '--shadow-timeout', env: ['SHADOW_DIFF_SHADOW_TIMEOUT'], kind: 'duration', default: '5s', min: 1, description: 'Time the shadow has for its whole response (e.g. 5s, 800ms).' }),
  opt({ key: 'shadowMaxInFlight', flag: '--shadow-max-in-flight', env: ['SHADOW_DIFF_SHADOW_MAX_IN_FLIGHT'], kind: 'int', default: '256', min: 1, max: 1_000_000, description: 'Shadow requests in flight at most; past it a pair is dropped and counted.' }),
  opt({ key: 'captureMaxBytes', flag: '--capture-max-bytes', env: ['SHADOW_DIFF_CAPTURE_MAX_BYTES'], kind: 'bytes', default: '1MiB', min: 0, description: 'Body bytes captured per side for comparison (e.g. 1MiB, 64KiB); larger pairs are skipped.' }),
  opt({ key: 'primaryTimeoutMs', flag: '--primary-timeout', env: ['SHADOW_DIFF_PRIMARY_TIMEOUT'], kind: 'duration', default: '60s', min: 1, description: "Time the primary has to send its response headers; past it the client gets 504." }),
  opt({ key: 'queueMaxBacklog', flag: '--queue-max-backlog', env: ['SHADOW_DIFF_QUEUE_MAX_BACKLOG'], kind: 'int', default: '100000', min: 1, description: 'Jobs waiting in the queue at most; past it a pair is dropped and counted.' }),
  opt({ key: 'comparatorConcurrency', flag: '--comparator-concurrency', env: ['SHADOW_DIFF_COMPARATOR_CONCURRENCY'], kind: 'int', default: '4', min: 1, max: 256, description: 'Jobs one comparator works on at once.' }),
  opt({ key: 'jobLockMs', flag: '--job-lock', env: ['SHADOW_DIFF_JOB_LOCK'], kind: 'duration', default: '30s', min: 1000, description: 'How long a comparator holds a job; the job of a killed comparator is redelivered after it.' }),
  opt({ key: 'ignoreHeaders', flag: '--ignore-headers', env: ['SHADOW_DIFF_IGNORE_HEADERS'], kind: 'list', default: '', description: 'Response headers not compared, on top of the volatile defaults (comma-separated).' }),
  opt({ key: 'noiseRelativeThreshold', flag: '--noise-relative-threshold', env: ['SHADOW_DIFF_NOISE_RELATIVE_THRESHOLD'], kind: 'percent', default: '20', min: 0, max: 100, description: 'A field is real only when its excess of shadow over secondary differences is above this percent of its shadow differences.' }),
  opt({ key: 'noiseAbsoluteThreshold', flag: '--noise-absolute-threshold', env: ['SHADOW_DIFF_NOISE_ABSOLUTE_THRESHOLD'], kind: 'percent', default: '3', min: 0, max: 100, description: 'A field is real only when its excess of shadow over secondary differences is above this percent of the comparisons.' }),
  opt({ key: 'reportToken', flag: '--report-token', env: ['SHADOW_DIFF_REPORT_TOKEN', 'REPORT_TOKEN'], kind: 'string', description: 'When set, the report API (all but /healthz) requires Authorization: Bearer <token> (or the login cookie). Required when the report listens on a network address, unless --allow-unauthenticated.' }),
  opt({ key: 'allowUnauthenticated', flag: '--allow-unauthenticated', env: ['SHADOW_DIFF_ALLOW_UNAUTHENTICATED'], kind: 'boolean', default: 'false', description: 'Serve the report API without a token on a non-loopback address (report-api, start): anyone who can reach it can read captured traffic and start replays. A flag without a value; true/false in the environment or config file.' }),
  opt({ key: 'retention', flag: '--retention', env: ['SHADOW_DIFF_RETENTION'], kind: 'duration', min: 60_000, description: 'Discrepancy details (requests, bodies, values) older than this are purged; counts and rates stay. Off when unset.' }),
  opt({ key: 'redactHeaders', flag: '--redact-headers', env: ['SHADOW_DIFF_REDACT_HEADERS'], kind: 'list', default: '', description: 'Header names redacted before anything is queued or stored, on top of authorization, proxy-authorization, cookie and set-cookie (comma-separated).' }),
  opt({ key: 'redactJsonPaths', flag: '--redact-json-paths', env: ['SHADOW_DIFF_REDACT_JSON_PATHS'], kind: 'list', default: '', description: 'JSON body paths redacted before anything is stored, e.g. $.password,$..token (comma-separated).' }),
  opt({ key: 'captureMax', flag: '--capture-max', env: ['SHADOW_DIFF_CAPTURE_MAX'], kind: 'int', default: '100000', min: 0, description: 'Captured exchanges kept for replay at most (0 captures nothing); the oldest go first.' }),
  opt({ key: 'captureMaxAge', flag: '--capture-max-age', env: ['SHADOW_DIFF_CAPTURE_MAX_AGE'], kind: 'duration', min: 60_000, description: 'Captured exchanges older than this are removed (e.g. 7d). Off when unset.' }),
  opt({ key: 'logLevel', flag: '--log-level', env: ['SHADOW_DIFF_LOG_LEVEL'], kind: 'string', default: 'info', description: 'fatal, error, warn, info, debug or silent.' }),
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTIONS)[number]['key'];
