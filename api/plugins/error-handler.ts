/**
 * One error shape for every route: `{error, message}` with the right 4xx for bad input, and a
 * logged 500 for anything unexpected (its details stay in the log, not in the answer).
 */

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ error: STATUS_CODES[err.statusCode], message: err.message, ...err.extra });
    }
    const statusCode = 'validation' in err && err.validation ? 400 : (err.statusCode ?? 500);
    if (statusCode >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: 'Internal Server Error', message: 'unexpected error; see the server log' });
    }
    return reply.code(statusCode).send({ error: STATUS_CODES[statusCode] ?? 'Error', message: err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'Not Found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );
});
