/** Client errors of the report API: a stable code, and the parameter at fault when there is one. */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ShadowDiffError, type ErrorCode } from '../../libs/errors.js';

export class HttpError extends ShadowDiffError {
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    message: string,
    readonly parameter?: string,
  ) {
    super(code, message);
  }
}

export const badParameter = (parameter: string, problem: string) =>
  new HttpError(400, 'SD_ERR_BAD_PARAMETER', `parameter '${parameter}' ${problem}`, parameter);

export const notFound = (message: string) => new HttpError(404, 'SD_ERR_NOT_FOUND', message);

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
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  401: 'SD_ERR_UNAUTHORIZED',
  404: 'SD_ERR_NOT_FOUND',
  413: 'SD_ERR_PAYLOAD_TOO_LARGE',
  415: 'SD_ERR_UNSUPPORTED_MEDIA_TYPE',
};

/** The parameter an Ajv validation error is about: the missing one, or the one whose value failed. */
function parameterOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  if (missing.missingProperty) return missing.missingProperty;
  if (missing.additionalProperty) return missing.additionalProperty;
  return first.instancePath.replace(/^\//, '').split('/')[0] || undefined;
}

function sendClientError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.status(status).send({ error: STATUS_TEXT[status] ?? 'Bad Request', code: CODE_BY_STATUS[status] ?? 'SD_ERR_BAD_REQUEST', message });
}

/** Errors fastify raises before routing (a URL with bad percent-encoding), which skip the error handler. */
export function frameworkErrors(error: FastifyError, _req: unknown, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void sendClientError(reply, status, error.message);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({
        error: STATUS_TEXT[error.statusCode] ?? 'Error',
        code: error.code,
        message: error.message,
        ...(error.parameter ? { parameter: error.parameter } : {}),
      });
    }
    if (error.validation) {
      const parameter = parameterOf(error);
      const first = error.validation[0];
      const problem = first?.keyword === 'additionalProperties' ? 'is not a known parameter' : (first?.message ?? 'is invalid');
      return reply.status(400).send({
        error: 'Bad Request',
        code: 'SD_ERR_BAD_PARAMETER',
        message: parameter ? `parameter '${parameter}' ${problem}` : `invalid request: ${error.message}`,
        ...(parameter ? { parameter } : {}),
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendClientError(reply, error.statusCode, error.message);
    request.log.error({ err: error }, 'request failed');
    // Never a stack trace to the client.
    return reply.status(500).send({ error: 'Internal Server Error', code: 'SD_ERR_INTERNAL', message: 'internal error' });
  });
}
