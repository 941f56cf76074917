/**
 * The option table: every setting once, with its flag, environment variable, config-file key,
 * kind and default. The CLI, the env reader, the YAML reader and the docs all derive from it.
 */
import { INGRESS_MODES } from '../capture/ingress-mode.js';
import { HOST_ECHO_MODES } from '../compare/host-echo.js';

export type OptionKind =
  | 'url'
  | 'redisUrl'
  | 'hostPort'
  | 'int'
  | 'percent'
  | 'duration'
  | 'bytes'
  | 'methods'
  | 'list'
  | 'origins'
  | 'string'
  | 'path'
  /** A SQLite file path, or a postgres:// URL. */
  | 'store'
  | 'runName'
  | 'rate'
  | 'baseline'
  | 'boolean'
  | 'choice';

export const COMMAND_NAMES = ['start', 'ingress', 'comparator', 'report-api', 'replay', 'export', 'gate', 'compare'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Node's timers hold at most 2^31-1 ms; a longer one fires after 1 ms. Every duration is capped here. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The slowest replay rate whose interval between requests still fits a timer. */
export const MIN_REPLAY_RATE = 1000 / MAX_TIMER_MS;
/** Durations that are ages compared with the clock, not timers, may be longer: ten years. */
const MAX_AGE_MS = 3650 * 86_400_000;

export interface OptionSpec {
  /** Key in the config object and in the YAML config file. */
  key: string;
  flag: string;
  env: string[];
  kind: OptionKind;
  description: string;
  default?: string;
  /** For numbers: inclusive bounds (durations: at most MAX_TIMER_MS unless set). */
  min?: number;
  max?: number;
  /** Read only by these commands (others keep the default); absent: a setting every service shares. */
  only?: readonly CommandName[];
  /** For `choice`: the values allowed. */
  choices?: readonly string[];
}

const opt = (s: OptionSpec) => s;

export const OPTIONS = [
  opt({ key: 'primary', flag: '--primary', env: ['SHADOW_DIFF_PRIMARY'], kind: 'url', description: 'Base URL of the primary (the version in production).' }),
  opt({ key: 'shadow', flag: '--shadow', env: ['SHADOW_DIFF_SHADOW'], kind: 'url', description: 'Base URL of the shadow (the candidate version).' }),
  opt({ key: 'secondary', flag: '--secondary', env: ['SHADOW_DIFF_SECONDARY'], kind: 'url', description: 'Base URL of a second instance of the primary version: it gets the mirrored requests too, and what it differs on is noise.' }),
  opt({ key: 'mode', flag: '--mode', env: ['SHADOW_DIFF_MODE'], kind: 'choice', choices: INGRESS_MODES, default: 'inline', description: "inline: the ingress is the proxy in front of the primary, clients get the primary's answer through it and a sample is mirrored to the shadow; mirror-target: the ingress is the destination of a mesh's mirror (Istio, Envoy, nginx), answers 202 at once and sends each request to the primary, the shadow (and the secondary) itself (ingress, start)." }),
  opt({ key: 'listen', flag: '--listen', env: ['SHADOW_DIFF_LISTEN'], kind: 'hostPort', default: '127.0.0.1:8080', description: 'Where the ingress listens.' }),
  opt({ key: 'reportListen', flag: '--report-listen', env: ['SHADOW_DIFF_REPORT_LISTEN'], kind: 'hostPort', default: '127.0.0.1:8081', description: 'Where the report API listens (report-api takes it as --listen, and reads SHADOW_DIFF_LISTEN after SHADOW_DIFF_REPORT_LISTEN).' }),
  opt({ key: 'adminListen', flag: '--admin-listen', env: ['SHADOW_DIFF_ADMIN_LISTEN'], kind: 'hostPort', description: "Where the ingress (ingress, start) or the comparator (comparator) serves its own /metrics (Prometheus) and /healthz, with no token: counters and health only; off unless set." }),
  opt({ key: 'ingressWorkers', flag: '--ingress-workers', env: ['SHADOW_DIFF_INGRESS_WORKERS'], kind: 'int', default: '1', min: 1, max: 64, description: "Ingress processes sharing the listening port (node:cluster), each with its own queue publisher and drop counter; the admin port, served once, adds up their metrics, and a worker that dies is restarted. ingress only: start's embedded queue lives in one process, so start takes 1." }),
  opt({ key: 'db', flag: '--db', env: ['SHADOW_DIFF_DB'], kind: 'store', default: './shadow-diff.db', description: 'The store: a SQLite file (one machine, the default), or a postgres://user@host:port/db URL (PostgreSQL, shared by several machines).' }),
  opt({ key: 'run', flag: '--run', env: ['SHADOW_DIFF_RUN'], kind: 'runName', default: 'live', description: 'Run name the mirrored exchanges are recorded under.' }),
  opt({ key: 'mirrorPercent', flag: '--mirror-percent', env: ['SHADOW_DIFF_MIRROR_PERCENT'], kind: 'percent', default: '100', min: 0, max: 100, description: 'Percentage of eligible requests mirrored to the shadow (0-100).' }),
  opt({ key: 'mirrorMethods', flag: '--mirror-methods', env: ['SHADOW_DIFF_MIRROR_METHODS'], kind: 'methods', default: 'GET,HEAD,OPTIONS', description: 'Comma-separated HTTP methods that are mirrored; any other method goes to the primary only.' }),
  opt({ key: 'redis', flag: '--redis', env: ['SHADOW_DIFF_REDIS', 'REDIS_URL'], kind: 'redisUrl', description: 'Redis URL: use BullMQ on Redis as the queue (distributed mode).' }),
  opt({ key: 'queuePrefix', flag: '--queue-prefix', env: ['SHADOW_DIFF_QUEUE_PREFIX'], kind: 'string', default: 'shadow-diff', description: 'Key prefix of the queue in Redis: separate deployments can share one Redis.' }),
  opt({ key: 'shadowHostSuffix', flag: '--shadow-host-suffix', env: ['SHADOW_DIFF_SHADOW_HOST_SUFFIX'], kind: 'string', default: '-shadow', description: "Appended to the host name of the client's Host header on the shadow request; empty disables it." }),
  opt({ key: 'stripHostSuffix', flag: '--strip-host-suffix', env: ['SHADOW_DIFF_STRIP_HOST_SUFFIX'], kind: 'string', default: '-shadow', description: "--mode mirror-target: removed from the end of the received Host's name (the mesh's `reviews-shadow:9080`) before the request goes to the primary and the secondary; the shadow gets the Host as received. Empty: all sides get it as received." }),
  opt({ key: 'shadowTimeoutMs', flag: '--shadow-timeout', env: ['SHADOW_DIFF_SHADOW_TIMEOUT'], kind: 'duration', default: '5s', min: 1, description: 'Time the shadow has for its whole response (e.g. 5s, 800ms).' }),
  opt({ key: 'shadowMaxInFlight', flag: '--shadow-max-in-flight', env: ['SHADOW_DIFF_SHADOW_MAX_IN_FLIGHT'], kind: 'int', default: '256', min: 1, max: 1_000_000, description: 'Shadow requests in flight at most; past it a pair is dropped and counted.' }),
  opt({ key: 'shadowMaxInFlightBytes', flag: '--shadow-max-in-flight-bytes', env: ['SHADOW_DIFF_SHADOW_MAX_IN_FLIGHT_BYTES'], kind: 'bytes', default: '256MiB', min: 1, description: "Body bytes the ingress holds for the pairs in flight at most (requests still arriving, the primary's, the shadow's and the secondary's captures, until the pair is queued); past it a pair is dropped and counted (shadow_in_flight_limit)." }),
  opt({ key: 'captureMaxBytes', flag: '--capture-max-bytes', env: ['SHADOW_DIFF_CAPTURE_MAX_BYTES'], kind: 'bytes', default: '1MiB', min: 0, description: 'Body bytes captured per side for comparison (e.g. 1MiB, 64KiB); larger pairs are skipped.' }),
  opt({ key: 'trustProxy', flag: '--trust-proxy', env: ['SHADOW_DIFF_TRUST_PROXY'], kind: 'string', description: "Proxies in front of the ingress (and the report API) whose X-Forwarded-*, Forwarded and X-Real-IP headers are believed: a hop count, or addresses, CIDRs and loopback, linklocal, uniquelocal (comma-separated; fastify's trustProxy). Unset: none; the ingress sets them from the connection, and the report's login cookie is Secure only over its own https." }),
  opt({ key: 'primaryTimeoutMs', flag: '--primary-timeout', env: ['SHADOW_DIFF_PRIMARY_TIMEOUT'], kind: 'duration', default: '60s', min: 1, description: "Time the primary has to send its response headers; past it the client gets 504." }),
  opt({ key: 'headersTimeoutMs', flag: '--headers-timeout', env: ['SHADOW_DIFF_HEADERS_TIMEOUT'], kind: 'duration', default: '10s', min: 100, max: 2_147_483_647, description: 'Time a client has to send its request headers, on the ingress and the report API; past it the client gets 408 and the connection is closed (a slowloris client holds no socket for longer).' }),
  opt({ key: 'requestTimeoutMs', flag: '--request-timeout', env: ['SHADOW_DIFF_REQUEST_TIMEOUT'], kind: 'duration', default: '30s', min: 1, max: 2_147_483_647, description: 'Time a client has to send its whole request once its headers are in; past it the client gets 408 (on the ingress a mirrored pair is then skipped: request_timeout; the report API closes the connection).' }),
  opt({ key: 'queueMaxBacklog', flag: '--queue-max-backlog', env: ['SHADOW_DIFF_QUEUE_MAX_BACKLOG'], kind: 'int', default: '100000', min: 1, description: 'Jobs waiting in the queue at most; past it a pair is dropped and counted.' }),
  opt({ key: 'queueMaxBacklogBytes', flag: '--queue-max-backlog-bytes', env: ['SHADOW_DIFF_QUEUE_MAX_BACKLOG_BYTES'], kind: 'bytes', default: '512MiB', min: 1, description: "Body bytes of the queued jobs at most: the embedded queue's jobs waiting, retrying or in progress; with Redis, the jobs this process has not yet handed to Redis. Past it a pair is dropped and counted (queue_backlog_limit). Redis itself holds at most --queue-max-backlog jobs of up to four captured bodies each." }),
  opt({ key: 'comparatorConcurrency', flag: '--comparator-concurrency', env: ['SHADOW_DIFF_COMPARATOR_CONCURRENCY'], kind: 'int', default: '64', min: 1, max: 256, description: 'Jobs one comparator (in start: each comparator thread) works on at once; their outcomes are written in one transaction per batch, so more jobs in flight make fuller batches.' }),
  opt({ key: 'comparatorThreads', flag: '--comparator-threads', env: ['SHADOW_DIFF_COMPARATOR_THREADS'], kind: 'int', min: 0, max: 64, description: 'Threads that compare and write to the store in `start` (and for report-api\'s replays without Redis), off the loop that serves the ingress and the report API; unset: one less than the machine\'s cores, at least 1; 0: compare on the main thread.' }),
  opt({ key: 'maxEndpoints', flag: '--max-endpoints', env: ['SHADOW_DIFF_MAX_ENDPOINTS'], kind: 'int', default: '1000', min: 1, max: 1_000_000, description: 'Distinct endpoints per run at most; past it new templates count under one endpoint named OTHER (add a route rule to name them).' }),
  opt({ key: 'jobLockMs', flag: '--job-lock', env: ['SHADOW_DIFF_JOB_LOCK'], kind: 'duration', default: '30s', min: 1000, description: 'How long a comparator holds a job; the job of a killed comparator is redelivered after it.' }),
  opt({ key: 'ignoreHeaders', flag: '--ignore-headers', env: ['SHADOW_DIFF_IGNORE_HEADERS'], kind: 'list', default: '', description: 'Response headers not compared, on top of the volatile defaults (comma-separated).' }),
  opt({ key: 'noiseRelativeThreshold', flag: '--noise-relative-threshold', env: ['SHADOW_DIFF_NOISE_RELATIVE_THRESHOLD'], kind: 'percent', default: '20', min: 0, max: 100, description: 'A field is real only when its excess of shadow over secondary differences is above this percent of its shadow differences.' }),
  opt({ key: 'noiseAbsoluteThreshold', flag: '--noise-absolute-threshold', env: ['SHADOW_DIFF_NOISE_ABSOLUTE_THRESHOLD'], kind: 'percent', default: '3', min: 0, max: 100, description: 'A field is real only when its excess of shadow over secondary differences is above this percent of the comparisons.' }),
  opt({ key: 'reportToken', flag: '--report-token', env: ['SHADOW_DIFF_REPORT_TOKEN', 'REPORT_TOKEN'], kind: 'string', description: 'When set, the report API (all but /healthz) requires Authorization: Bearer <token>.' }),
  opt({ key: 'allowUnauthenticated', flag: '--allow-unauthenticated', env: ['SHADOW_DIFF_ALLOW_UNAUTHENTICATED'], kind: 'boolean', default: 'false', description: 'Serve the report API without a token on a non-loopback address (report-api, start): anyone who can reach it can read captured traffic and start replays. A flag without a value; true/false in the environment or config file.' }),
  opt({ key: 'replayAllow', flag: '--replay-allow', env: ['SHADOW_DIFF_REPLAY_ALLOW'], kind: 'origins', default: '', description: 'Origins (scheme://host[:port], comma-separated) that replays started through the report API may send traffic to; none by default. The CLI replay is not limited.' }),
  opt({ key: 'maxReplays', flag: '--max-replays', env: ['SHADOW_DIFF_MAX_REPLAYS'], kind: 'int', default: '2', min: 1, max: 64, description: 'Replays started through the report API running at once at most; past it the API answers 429.' }),
  opt({ key: 'retention', flag: '--retention', env: ['SHADOW_DIFF_RETENTION'], kind: 'duration', min: 60_000, max: MAX_AGE_MS, description: 'Discrepancy details (requests, bodies, values) older than this are purged; counts and rates stay. Off when unset.' }),
  opt({ key: 'redactHeaders', flag: '--redact-headers', env: ['SHADOW_DIFF_REDACT_HEADERS'], kind: 'list', default: '', description: 'Header names redacted before anything is queued or stored, on top of authorization, proxy-authorization, cookie and set-cookie (comma-separated).' }),
  opt({ key: 'redactJsonPaths', flag: '--redact-json-paths', env: ['SHADOW_DIFF_REDACT_JSON_PATHS'], kind: 'list', default: '', description: 'JSON body paths redacted before anything is stored, e.g. $.password,$..token (comma-separated).' }),
  opt({ key: 'redactQueryParams', flag: '--redact-query-params', env: ['SHADOW_DIFF_REDACT_QUERY_PARAMS'], kind: 'list', default: 'access_token,token,api_key,apikey,key,password,secret,signature,sig,code', description: 'Query parameters whose values are redacted in stored URLs (captures, discrepancies, HAR export); names are case-insensitive; empty redacts none (comma-separated).' }),
  opt({ key: 'captureMax', flag: '--capture-max', env: ['SHADOW_DIFF_CAPTURE_MAX'], kind: 'int', default: '100000', min: 0, description: 'Captured exchanges kept for replay at most (0 captures nothing); the oldest go first.' }),
  opt({ key: 'rollupRetention', flag: '--rollup-retention', env: ['SHADOW_DIFF_ROLLUP_RETENTION'], kind: 'duration', min: 3_600_000, max: MAX_AGE_MS, description: "Counts (rollups, drop reports) of minutes, hours and days older than this are purged; the run's totals stay. Off when unset: they are small." }),
  opt({ key: 'captureMaxAge', flag: '--capture-max-age', env: ['SHADOW_DIFF_CAPTURE_MAX_AGE'], kind: 'duration', min: 60_000, max: MAX_AGE_MS, description: 'Captured exchanges older than this are removed (e.g. 7d). Off when unset.' }),
  opt({ key: 'hostEcho', flag: '--host-echo', env: ['SHADOW_DIFF_HOST_ECHO'], kind: 'choice', choices: HOST_ECHO_MODES, default: 'normalize', description: "normalize: where the shadow's (or a replay candidate's) response holds the Host it was sent, in headers or URLs in bodies, it is compared as the primary's Host; off: compared as sent (comparator, start, replay)." }),
  // replay (and export): captured traffic against a candidate.
  opt({ key: 'fromRun', flag: '--from-run', env: ['SHADOW_DIFF_FROM_RUN'], kind: 'runName', only: ['replay'], description: 'Replay the exchanges captured in this run.' }),
  opt({ key: 'har', flag: '--har', env: ['SHADOW_DIFF_HAR'], kind: 'path', only: ['replay', 'export'], description: 'HAR 1.2 file: replay reads it (its responses are the recorded baseline), export writes it.' }),
  opt({ key: 'harOrigin', flag: '--har-origin', env: ['SHADOW_DIFF_HAR_ORIGIN'], kind: 'url', only: ['replay'], description: 'replay --har: replay the entries of this origin (scheme://host[:port]); by default the origin with the most entries. Entries of other origins are left out and reported.' }),
  opt({ key: 'gor', flag: '--gor', env: ['SHADOW_DIFF_GOR'], kind: 'path', only: ['replay'], description: 'Replay a GoReplay file (.gor or .gor.gz).' }),
  opt({ key: 'candidate', flag: '--candidate', env: ['SHADOW_DIFF_CANDIDATE'], kind: 'url', only: ['replay'], description: 'Base URL of the version under test (replay).' }),
  opt({ key: 'baseline', flag: '--baseline', env: ['SHADOW_DIFF_BASELINE'], kind: 'baseline', default: 'recorded', only: ['replay'], description: "Compare with the recorded response ('recorded') or with a live baseline URL." }),
  opt({ key: 'replayRun', flag: '--run', env: ['SHADOW_DIFF_REPLAY_RUN'], kind: 'runName', only: ['replay'], description: 'Run the replay records into; a new run (default replay-<timestamp>) unless --append.' }),
  opt({ key: 'append', flag: '--append', env: ['SHADOW_DIFF_REPLAY_APPEND'], kind: 'boolean', default: 'false', only: ['replay'], description: 'Add to an existing replay run of the same source instead of refusing it.' }),
  opt({ key: 'replayRate', flag: '--rate', env: ['SHADOW_DIFF_REPLAY_RATE'], kind: 'rate', min: MIN_REPLAY_RATE, max: 1_000_000, only: ['replay'], description: 'Requests per second, steady; unlimited when unset.' }),
  opt({ key: 'replayConcurrency', flag: '--concurrency', env: ['SHADOW_DIFF_REPLAY_CONCURRENCY'], kind: 'int', default: '8', min: 1, max: 256, only: ['replay'], description: 'Replayed requests in flight at most.' }),
  opt({ key: 'replayLimit', flag: '--limit', env: ['SHADOW_DIFF_REPLAY_LIMIT'], kind: 'int', min: 1, only: ['replay'], description: 'Replay at most this many exchanges; all when unset.' }),
  opt({ key: 'replayTimeoutMs', flag: '--timeout', env: ['SHADOW_DIFF_REPLAY_TIMEOUT'], kind: 'duration', default: '10s', min: 1, only: ['replay'], description: 'Time a replayed request has for its whole response (e.g. 10s, 500ms; a bare number is milliseconds).' }),
  opt({ key: 'allowUnsafe', flag: '--allow-unsafe', env: ['SHADOW_DIFF_ALLOW_UNSAFE'], kind: 'boolean', default: 'false', only: ['replay'], description: 'Also replay methods other than GET, HEAD and OPTIONS.' }),
  opt({ key: 'json', flag: '--json', env: ['SHADOW_DIFF_JSON'], kind: 'boolean', default: 'false', only: ['replay', 'gate', 'compare'], description: 'Print the result as one JSON line on stdout.' }),
  // gate and compare: clients of the report API; their values are checked by the command itself.
  opt({ key: 'reportUrl', flag: '--report', env: ['SHADOW_DIFF_REPORT_URL'], kind: 'url', only: ['gate', 'compare'], description: 'Report API base URL, e.g. http://127.0.0.1:8081.' }),
  opt({ key: 'token', flag: '--token', env: ['SHADOW_DIFF_REPORT_TOKEN', 'REPORT_TOKEN'], kind: 'string', only: ['gate', 'compare'], description: 'Bearer token when the report API has a token set.' }),
  opt({ key: 'gateRun', flag: '--run', env: ['SHADOW_DIFF_GATE_RUN'], kind: 'runName', only: ['gate'], description: "Run to gate on; the report API's run when unset." }),
  opt({ key: 'maxMismatchRate', flag: '--max-mismatch-rate', env: ['SHADOW_DIFF_MAX_MISMATCH_RATE'], kind: 'string', only: ['gate'], description: 'Highest acceptable mismatch rate, 0 to 1 (e.g. 0.01).' }),
  opt({ key: 'minSamples', flag: '--min-samples', env: ['SHADOW_DIFF_MIN_SAMPLES'], kind: 'string', only: ['gate'], description: 'Fewer comparisons than this give an inconclusive verdict.' }),
  opt({ key: 'endpoint', flag: '--endpoint', env: ['SHADOW_DIFF_GATE_ENDPOINT'], kind: 'string', only: ['gate'], description: 'Gate on one endpoint, e.g. "GET /reviews/:id".' }),
  opt({ key: 'maxEndpointMismatchRate', flag: '--max-endpoint-mismatch-rate', env: ['SHADOW_DIFF_MAX_ENDPOINT_MISMATCH_RATE'], kind: 'string', only: ['gate'], description: 'A limit every endpoint must meet too.' }),
  opt({ key: 'baselineRun', flag: '--baseline-run', env: ['SHADOW_DIFF_GATE_BASELINE_RUN'], kind: 'runName', only: ['gate'], description: 'Count new differing fields against this run (with --max-new-fields), e.g. the previous candidate.' }),
  opt({ key: 'maxNewFields', flag: '--max-new-fields', env: ['SHADOW_DIFF_GATE_MAX_NEW_FIELDS'], kind: 'string', only: ['gate'], description: 'Fail when the run has more fields differing that never differed in --baseline-run.' }),
  opt({ key: 'compareBase', flag: '--base', env: ['SHADOW_DIFF_COMPARE_BASE'], kind: 'runName', only: ['compare'], description: 'The run compared against, e.g. the previous candidate.' }),
  opt({ key: 'compareHead', flag: '--head', env: ['SHADOW_DIFF_COMPARE_HEAD'], kind: 'runName', only: ['compare'], description: 'The run under review, e.g. the next candidate.' }),
  opt({ key: 'since', flag: '--since', env: ['SHADOW_DIFF_GATE_SINCE'], kind: 'string', only: ['gate'], description: 'ISO 8601 date-time, or duration back from now (PT30M).' }),
  opt({ key: 'until', flag: '--until', env: ['SHADOW_DIFF_GATE_UNTIL'], kind: 'string', only: ['gate'], description: 'ISO 8601 date-time, or duration back from now.' }),
  opt({ key: 'logLevel', flag: '--log-level', env: ['SHADOW_DIFF_LOG_LEVEL'], kind: 'string', default: 'info', description: 'fatal, error, warn, info, debug or silent.' }),
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTIONS)[number]['key'];
