import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ValidationError, type ErrorCode } from '../domain/errors.js';
import { answerText, failureText } from '../domain/failures.js';
import { TEXT } from '../domain/texts.js';

/** The HTTP status of each failure code; every code has one (checked by the compiler). */
export const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 400,
  forbidden: 400,
  not_found: 400,
  conflict: 400,
  rate_limited: 429,
  unavailable: 503,
};

/** Words for protocol-level failures Fastify raises before a handler runs. */
function protocolMessage(status: number): string {
  if (status === 413) return TEXT.payloadTooLarge;
  if (status === 429) return TEXT.tooManyRequests;
  if (status === 404) return TEXT.notFound;
  return failureText('badRequest');
}

/**
 * The one mapping from errors to answers: business errors 400 (or their code's status) with the
 * contract's message, validation 422 with the first field's message, protocol errors with their 4xx status,
 * anything else 500 with a generic message, logged once with the request id.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.code === 'unavailable') req.log.warn({ err }, err.message);
      return reply.status(STATUS[err.code]).send({ msg: 'fail', data: answerText(err) });
    }
    if (err instanceof ValidationError) {
      // The first message of the first failing field, which clients show as it is.
      return reply.status(422).send({ msg: 'fail', data: answerText(err) });
    }
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      req.log.info({ code: (err as FastifyError).code, status }, err.message);
      return reply.status(status).send({ msg: 'fail', data: protocolMessage(status) });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ msg: 'fail', data: TEXT.internal });
  });

  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ msg: 'fail', data: TEXT.notFound }));
}
