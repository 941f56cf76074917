/**
 * Every error shadow-diff reports to a person or a script carries a stable code, in undici's way:
 * a `ShadowDiffError` base and one subclass per code, each with its `code` and its `name`. Scripts
 * match on the codes, so a code is never renamed or reused.
 *
 * CODES is the one source: the classes below, ERROR_CODES and the table in docs/errors.md
 * (`npm run docs:errors`) all come from it; test/unit/errors.test.ts keeps them honest.
 */

/** What docs/errors.md says of a code: where a person meets it, and what it means. */
export interface ErrorCodeDoc {
  readonly where: string;
  readonly meaning: string;
}

const CODES = {
  SD_ERR_CONFIG_INVALID: {
    where: 'CLI, exit 2',
    meaning: 'One or more settings (flags, environment, config file) are invalid; every problem is listed.',
  },
  SD_ERR_CONFIG_FILE: {
    where: 'CLI, exit 2',
    meaning: 'The config file cannot be read, is not YAML, or is not a mapping.',
  },
  SD_ERR_BAD_PARAMETER: {
    where: 'report API, 400',
    meaning:
      'A query, body or webhook-metadata parameter is missing or invalid (numbers must be plain decimals, finite and in range); `parameter` names it.',
  },
  SD_ERR_BAD_REQUEST: {
    where: 'report API, 400',
    meaning:
      'The request itself is malformed: a JSON body that does not parse or is empty, a URL with bad percent-encoding, a body that does not match its `Content-Length`.',
  },
  SD_ERR_PAYLOAD_TOO_LARGE: {
    where: 'report API, 413',
    meaning: "The request body is over the report API's limit (64 KiB).",
  },
  SD_ERR_UNSUPPORTED_MEDIA_TYPE: {
    where: 'report API, 415',
    meaning:
      "The request body's `Content-Type` is not one the route takes: every state-changing request takes `application/json` only (forms are parsed on `/login` only).",
  },
  SD_ERR_NOT_FOUND: {
    where: 'report API, 404',
    meaning: 'No such discrepancy or route.',
  },
  SD_ERR_UNAUTHORIZED: {
    where: 'report API, 401',
    meaning: '`REPORT_TOKEN` is set and the request has no valid `Authorization: Bearer` header (or login session cookie).',
  },
  SD_ERR_CROSS_ORIGIN: {
    where: 'report API, 403',
    meaning:
      "A `POST`/`PUT`/`PATCH`/`DELETE` authenticated by the login cookie did not come from the report's own origin (`Origin`, or `Sec-Fetch-Site: same-origin`): cross-site request forgery refused. Scripts use `Authorization: Bearer`. See [security.md](security.md).",
  },
  SD_ERR_PAYLOAD_INVALID: {
    where: 'comparator log, failed job',
    meaning: 'A queued job does not match its contract; it is failed at once, never retried (BullMQ `UnrecoverableError`).',
  },
  SD_ERR_PRIMARY_UNREACHABLE: {
    where: 'ingress, 502 to the client',
    meaning:
      "The primary refused, reset or failed before its response headers. The client gets only the code and a generic message; the cause (with the primary's address) goes to the ingress's log: each failure at debug, a warning with the count at most every 10 s.",
  },
  SD_ERR_PRIMARY_TIMEOUT: {
    where: 'ingress, 504 to the client',
    meaning: 'The primary sent no response headers within `--primary-timeout`.',
  },
  SD_ERR_REPLAY_TARGET_NOT_ALLOWED: {
    where: 'report API, 403',
    meaning:
      '`POST /api/v1/replays` names a `candidate` (or live `baseline`) whose origin is not listed in `--replay-allow`; `parameter` names which. Nothing was sent. See [replay.md](replay.md#replays-through-the-api).',
  },
  SD_ERR_TOO_MANY_REPLAYS: {
    where: 'report API, 429',
    meaning: '`--max-replays` replays started through the API are still running; start the next when one is done.',
  },
  SD_ERR_REQUEST_TIMEOUT: {
    where: 'ingress, 408 to the client',
    meaning: 'The client did not send its whole request body within `--request-timeout` of its headers; the connection is closed.',
  },
  SD_ERR_REPLAY_INPUT: {
    where: '`shadow-diff replay`, exit 2',
    meaning:
      'The HAR or GoReplay file cannot be read or parsed at all, or the run has no captures. (A malformed single record is reported and skipped instead.)',
  },
  SD_ERR_RUN_EXISTS: {
    where: '`shadow-diff replay`, exit 2; report API `POST /api/v1/replays`, 409',
    meaning:
      'The replay\'s run name is taken: by a live run, or by a replay of another source (or `--append` / `"append": true` was not given). A run holds exchanges from one source only; see [replay.md](replay.md#runs-and-sources).',
  },
  SD_ERR_STORE_UNAVAILABLE: {
    where: 'CLI, exit 2',
    meaning: 'The SQLite store cannot be opened or its migrations are missing.',
  },
  SD_ERR_INTERNAL: {
    where: 'report API, 500',
    meaning: 'An unexpected error; details are in the server log, never in the response.',
  },
} as const satisfies Record<`SD_ERR_${string}`, ErrorCodeDoc>;

export type ErrorCode = keyof typeof CODES;

/** Each code and what it means. */
export const ERROR_CODES = Object.fromEntries(Object.entries(CODES).map(([code, doc]) => [code, doc.meaning])) as Record<ErrorCode, string>;

/** Each code and where it is seen, in the order of docs/errors.md. */
export const ERROR_CODE_DOCS: Readonly<Record<ErrorCode, ErrorCodeDoc>> = CODES;

export interface ShadowDiffErrorOptions {
  cause?: unknown;
  /** Every problem, when the message sums up several (an invalid configuration). */
  details?: readonly string[];
  /** The input at fault, when there is one: the report API answers with it as `parameter`. */
  parameter?: string;
}

export class ShadowDiffError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  readonly parameter: string | undefined;

  /** Protected: a ShadowDiffError is always one of the subclasses below, so its code is its class's. */
  protected constructor(code: ErrorCode, message: string, options: ShadowDiffErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // The class's own name (ConfigInvalidError, …): the build keeps class names, nothing minifies them.
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? [];
    this.parameter = options.parameter;
  }
}

/** The base of the one class of `code`, whose instances carry that code and no other. */
function errorClass<C extends ErrorCode>(code: C) {
  return class extends ShadowDiffError {
    declare readonly code: C;

    constructor(message: string, options?: ShadowDiffErrorOptions) {
      super(code, message, options);
    }
  };
}

export class ConfigInvalidError extends errorClass('SD_ERR_CONFIG_INVALID') {}
export class ConfigFileError extends errorClass('SD_ERR_CONFIG_FILE') {}
export class BadParameterError extends errorClass('SD_ERR_BAD_PARAMETER') {}
export class BadRequestError extends errorClass('SD_ERR_BAD_REQUEST') {}
export class PayloadTooLargeError extends errorClass('SD_ERR_PAYLOAD_TOO_LARGE') {}
export class UnsupportedMediaTypeError extends errorClass('SD_ERR_UNSUPPORTED_MEDIA_TYPE') {}
export class NotFoundError extends errorClass('SD_ERR_NOT_FOUND') {}
export class UnauthorizedError extends errorClass('SD_ERR_UNAUTHORIZED') {}
export class CrossOriginError extends errorClass('SD_ERR_CROSS_ORIGIN') {}
export class PayloadInvalidError extends errorClass('SD_ERR_PAYLOAD_INVALID') {}
export class PrimaryUnreachableError extends errorClass('SD_ERR_PRIMARY_UNREACHABLE') {}
export class PrimaryTimeoutError extends errorClass('SD_ERR_PRIMARY_TIMEOUT') {}
export class ReplayTargetNotAllowedError extends errorClass('SD_ERR_REPLAY_TARGET_NOT_ALLOWED') {}
export class TooManyReplaysError extends errorClass('SD_ERR_TOO_MANY_REPLAYS') {}
export class RequestTimeoutError extends errorClass('SD_ERR_REQUEST_TIMEOUT') {}
export class ReplayInputError extends errorClass('SD_ERR_REPLAY_INPUT') {}
export class RunExistsError extends errorClass('SD_ERR_RUN_EXISTS') {}
export class StoreUnavailableError extends errorClass('SD_ERR_STORE_UNAVAILABLE') {}
export class InternalError extends errorClass('SD_ERR_INTERNAL') {}

/** The class of each code; the compiler checks that each one is the class of its own code. */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: new (message: string, options?: ShadowDiffErrorOptions) => ShadowDiffError & { readonly code: C } } = {
  SD_ERR_CONFIG_INVALID: ConfigInvalidError,
  SD_ERR_CONFIG_FILE: ConfigFileError,
  SD_ERR_BAD_PARAMETER: BadParameterError,
  SD_ERR_BAD_REQUEST: BadRequestError,
  SD_ERR_PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  SD_ERR_UNSUPPORTED_MEDIA_TYPE: UnsupportedMediaTypeError,
  SD_ERR_NOT_FOUND: NotFoundError,
  SD_ERR_UNAUTHORIZED: UnauthorizedError,
  SD_ERR_CROSS_ORIGIN: CrossOriginError,
  SD_ERR_PAYLOAD_INVALID: PayloadInvalidError,
  SD_ERR_PRIMARY_UNREACHABLE: PrimaryUnreachableError,
  SD_ERR_PRIMARY_TIMEOUT: PrimaryTimeoutError,
  SD_ERR_REPLAY_TARGET_NOT_ALLOWED: ReplayTargetNotAllowedError,
  SD_ERR_TOO_MANY_REPLAYS: TooManyReplaysError,
  SD_ERR_REQUEST_TIMEOUT: RequestTimeoutError,
  SD_ERR_REPLAY_INPUT: ReplayInputError,
  SD_ERR_RUN_EXISTS: RunExistsError,
  SD_ERR_STORE_UNAVAILABLE: StoreUnavailableError,
  SD_ERR_INTERNAL: InternalError,
};

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(CODES, code);

/** Where the table stands in docs/errors.md: between `<!-- error-codes:begin -->` and `<!-- error-codes:end -->`. */
export const ERROR_CODES_SECTION = 'error-codes';

/** The table of docs/errors.md (`npm run docs:errors` writes it there). */
export function errorCodesTable(): string {
  const rows = Object.entries(ERROR_CODE_DOCS).map(([code, doc]) => `| \`${code}\` | ${doc.where} | ${doc.meaning} |`);
  return ['| code | where you see it | meaning |', '|---|---|---|', ...rows].join('\n');
}
