/**
 * Every error shadow-diff reports to a user carries a stable code from this table.
 * Scripts match on the codes, so a code is never renamed or reused; docs/errors.md lists them all
 * (test/unit/errors.test.ts keeps the two in step).
 */
export const ERROR_CODES = {
  SD_ERR_CONFIG_INVALID: 'The configuration (flags, environment, config file) is invalid.',
  SD_ERR_CONFIG_FILE: 'The config file cannot be read or is not valid YAML.',
  SD_ERR_BAD_PARAMETER: 'A request parameter is missing or invalid.',
  SD_ERR_BAD_REQUEST: 'The request itself is malformed (unparseable JSON body, bad URL encoding, wrong Content-Length).',
  SD_ERR_PAYLOAD_TOO_LARGE: 'The request body is larger than the report API accepts.',
  SD_ERR_UNSUPPORTED_MEDIA_TYPE: 'The request body has a content type the route does not take (the report API takes JSON only; forms on /login).',
  SD_ERR_NOT_FOUND: 'The requested resource does not exist.',
  SD_ERR_UNAUTHORIZED: 'The report API needs a valid bearer token (REPORT_TOKEN).',
  SD_ERR_CROSS_ORIGIN: 'A state-changing request authenticated by the login cookie came from another origin.',
  SD_ERR_PAYLOAD_INVALID: 'A queued job payload does not match its contract; it is never retried.',
  SD_ERR_PRIMARY_UNREACHABLE: 'The primary could not be reached or failed mid-response.',
  SD_ERR_PRIMARY_TIMEOUT: 'The primary did not answer in time.',
  SD_ERR_REPLAY_TARGET_NOT_ALLOWED: 'A replay started through the report API names a target origin not listed in --replay-allow.',
  SD_ERR_TOO_MANY_REPLAYS: 'The report API is already running --max-replays replays; try again when one has finished.',
  SD_ERR_REQUEST_TIMEOUT: 'The client did not send its whole request in time.',
  SD_ERR_REPLAY_INPUT: 'A replay input (HAR or GoReplay file, captured run) cannot be used.',
  SD_ERR_RUN_EXISTS: 'A replay names a run that already exists (live, or a replay of another source); --append adds to a replay run of the same source.',
  SD_ERR_STORE_UNAVAILABLE: 'The store (SQLite) cannot be opened or written.',
  SD_ERR_INTERNAL: 'An unexpected internal error.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ShadowDiffError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'ShadowDiffError';
    this.code = code;
    this.details = details;
  }
}
