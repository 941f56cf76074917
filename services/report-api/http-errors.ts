/** Client errors of the report API: a stable code, and the parameter at fault when there is one. */
import type { FastifyError, FastifyInstance } from 'fastify';
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

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** The parameter an Ajv validation error is about: the missing one, or the one whose value failed. */
function parameterOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing = (first.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  if (missing.missingProperty) return missing.missingProperty;
  if (missing.additionalProperty) return missing.additionalProperty;
  return first.instancePath.replace(/^\//, '').split('/')[0] || undefined;
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
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    // Never a stack trace to the client.
    return reply.status(status).send({
      error: status === 500 ? 'Internal Server Error' : (STATUS_TEXT[status] ?? 'Error'),
      code: status === 500 ? 'SD_ERR_INTERNAL' : 'SD_ERR_BAD_PARAMETER',
      message: status === 500 ? 'internal error' : error.message,
    });
  });
}
