/**
 * The report API's error answers: the status of each code it answers with, and one body,
 * `{ error, code, message, parameter? }`, for every error it sends (thrown, refused in a hook, or fastify's own).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { BadParameterError, ERROR_CLASSES, InternalError, NotFoundError, ShadowDiffError, type ErrorCode } from '../../libs/errors.js';

/** The status of each code the report API answers with; an error of any other code is a 500 (SD_ERR_INTERNAL). */
const STATUS_BY_CODE = {
  SD_ERR_BAD_PARAMETER: 400,
  SD_ERR_BAD_REQUEST: 400,
  SD_ERR_UNAUTHORIZED: 401,
  SD_ERR_CROSS_ORIGIN: 403,
  SD_ERR_REPLAY_TARGET_NOT_ALLOWED: 403,
  SD_ERR_NOT_FOUND: 404,
  SD_ERR_RUN_EXISTS: 409,
  SD_ERR_PAYLOAD_TOO_LARGE: 413,
  SD_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  SD_ERR_TOO_MANY_REPLAYS: 429,
} as const satisfies Partial<Record<ErrorCode, number>>;

export type HttpErrorCode = keyof typeof STATUS_BY_CODE;
export type HttpError = ShadowDiffError & { readonly code: HttpErrorCode };

/** For tests and docs: the status the report API answers each of its codes with. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = STATUS_BY_CODE;

const isHttpError = (error: unknown): error is HttpError => error instanceof ShadowDiffError && Object.hasOwn(STATUS_BY_CODE, error.code);

export const badParameter = (parameter: string, problem: string) => new BadParameterError(`parameter '${parameter}' ${problem}`, { parameter });

export const notFound = (message: string, parameter?: string) => new NotFoundError(message, parameter === undefined ? {} : { parameter });

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Fastify's own 4xx (body parsing, routing) by status; anything else of the 4xx kind is a bad request. */
const CODE_BY_STATUS: Record<number, HttpErrorCode> = {
  401: 'SD_ERR_UNAUTHORIZED',
  404: 'SD_ERR_NOT_FOUND',
  413: 'SD_ERR_PAYLOAD_TOO_LARGE',
  415: 'SD_ERR_UNSUPPORTED_MEDIA_TYPE',
};

/** The one body of an error answer; `error` is the status's text. */
function send(reply: FastifyReply, status: number, error: ShadowDiffError, statusText = STATUS_TEXT[status]): FastifyReply {
  return reply.status(status).send({
    error: statusText,
    code: error.code,
    message: error.message,
    ...(error.parameter ? { parameter: error.parameter } : {}),
  });
}

/** An error of the report API's own codes, answered with the code's status. */
export const sendError = (reply: FastifyReply, error: HttpError): FastifyReply => send(reply, STATUS_BY_CODE[error.code], error);

/** The parameter an Ajv validation error is about: the missing one, or the one whose value failed. */
function parameterOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  if (missing.missingProperty) return missing.missingProperty;
  if (missing.additionalProperty) return missing.additionalProperty;
  return first.instancePath.replace(/^\//, '').split('/')[0] || undefined;
}

/** Fastify's own client errors keep fastify's status, with the code that status means. */
function sendClientError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return send(reply, status, new ERROR_CLASSES[CODE_BY_STATUS[status] ?? 'SD_ERR_BAD_REQUEST'](message), STATUS_TEXT[status] ?? 'Bad Request');
}

/** Errors fastify raises before routing (a URL with bad percent-encoding), which skip the error handler. */
export function frameworkErrors(error: FastifyError, _req: unknown, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void sendClientError(reply, status, error.message);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isHttpError(error)) return sendError(reply, error);
    if (error.validation) {
      const parameter = parameterOf(error);
      const first = error.validation[0];
      const problem = first?.keyword === 'additionalProperties' ? 'is not a known parameter' : (first?.message ?? 'is invalid');
      return parameter ? sendError(reply, badParameter(parameter, problem)) : sendError(reply, new BadParameterError(`invalid request: ${error.message}`));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendClientError(reply, error.statusCode, error.message);
    request.log.error({ err: error }, 'request failed');
    // Never a stack trace to the client, nor the error's own message.
    return send(reply, 500, new InternalError('internal error'), 'Internal Server Error');
  });
}
