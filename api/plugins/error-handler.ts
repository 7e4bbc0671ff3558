/**
 * The one error handler: every error thrown on the way to an answer ends here and becomes
 * `{error, message}` (the `errorResponse` schema) with its status. Services throw domain errors
 * named by what happened (api/domain-errors.ts, the Universign client's errors, webhook
 * verification and parsing); `describeError` below is the one place that gives each its status.
 * Bad input is a 4xx naming the field; anything unexpected a logged 500 whose details stay in the log.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { UniversignAuthError, UniversignBadResponseError, UniversignUnavailableError } from '../../activities/universign-errors';
import { isDatabaseUnavailable } from '../database-unavailable';
import {
  DocumentTooLargeError,
  IdempotencyKeyReusedError,
  InvalidSignatureRequestError,
  SendFailedError,
  TemporalUnavailableError,
  TransactionFinalError,
  UniversignRejectedError,
  UnknownSageDocumentError,
  UnknownSignatureRequestError,
  UnknownTransactionError,
  WebhookNotRecordedError,
  WorkflowEndedError,
} from '../domain-errors';
import { WebhookEventError } from '../webhooks/parse-universign-event';
import { WebhookSignatureError } from '../webhooks/verify-universign-signature';

/** What a 503 answer's Retry-After says. */
export const RETRY_AFTER_SECONDS = 5;

interface ErrorAnswer {
  statusCode: number;
  message: string;
  /** Fields added to `{error, message}` (declared by the route's schema for that status). */
  extra?: Record<string, unknown>;
  /** Worth a log line although it is not a 5xx of ours. */
  log?: { level: 'warn' | 'error'; fields: Record<string, unknown>; text: string };
}

/** Status and message of each domain error; null for anything else (a 500, or one of Fastify's own). */
export function describeError(err: unknown): ErrorAnswer | null {
  if (err instanceof UnknownTransactionError) return { statusCode: 404, message: err.message };
  if (err instanceof TransactionFinalError || err instanceof WorkflowEndedError) {
    return { statusCode: 409, message: err.message, extra: { transaction: err.transaction } };
  }
  if (err instanceof UniversignRejectedError) return { statusCode: 409, message: err.message };
  if (err instanceof TemporalUnavailableError) return { statusCode: 503, message: err.message };
  if (err instanceof UniversignAuthError) {
    // Says which setting to check, never the key itself.
    return { statusCode: 502, message: `Universign refused this service's API key (HTTP ${err.status ?? '?'}); check UNIVERSIGN_API_KEY` };
  }
  if (err instanceof UniversignUnavailableError) {
    const detail = err.status === undefined ? 'no answer' : `HTTP ${err.status}`;
    return { statusCode: 503, message: `Universign is unavailable (${detail}); retry later` };
  }
  if (err instanceof UniversignBadResponseError) return { statusCode: 502, message: `unexpected answer from Universign: ${err.message}` };
  if (err instanceof WebhookSignatureError) {
    if (err.reason === 'key_set_unavailable') {
      const log = { level: 'warn', fields: { reason: err.reason }, text: 'webhook not verifiable now: JWKS unavailable' } as const;
      return { statusCode: 503, message: 'signing keys unavailable; retry later', log };
    }
    const log = { level: 'warn', fields: { reason: err.reason }, text: 'webhook refused: bad signature' } as const;
    return { statusCode: 401, message: `invalid webhook signature (${err.reason})`, log };
  }
  if (err instanceof WebhookEventError) return { statusCode: 400, message: err.message };
  if (err instanceof WebhookNotRecordedError) {
    const log = { level: 'error', fields: { err: err.cause, eventId: err.eventId }, text: 'cannot record webhook event' } as const;
    return { statusCode: 503, message: err.message, log };
  }
  if (err instanceof InvalidSignatureRequestError) return { statusCode: 400, message: err.message };
  if (err instanceof DocumentTooLargeError) return { statusCode: 413, message: err.message };
  if (err instanceof UnknownSignatureRequestError) return { statusCode: 404, message: err.message };
  if (err instanceof IdempotencyKeyReusedError) return { statusCode: 422, message: err.message, extra: { requestId: err.requestId } };
  if (err instanceof UnknownSageDocumentError) return { statusCode: 422, message: err.message, extra: { ...err.where } };
  if (err instanceof SendFailedError) return { statusCode: err.unavailable ? 503 : 502, message: err.message, extra: { ...err.where } };
  // Domain errors above may wrap a database error; a bare one (a read, the webhook store) is an outage.
  if (isDatabaseUnavailable(err)) {
    const log = { level: 'warn', fields: { err }, text: 'database unavailable' } as const;
    return { statusCode: 503, message: 'the database is unavailable; retry later', log };
  }
  return null;
}

/** `querystring.status: Invalid option: …; body: Unrecognized key: "reasn"` from zod's issues. */
function describeZodIssues(err: { validation: Array<{ instancePath: string; message?: string }>; validationContext?: string }): string {
  const part = err.validationContext ?? 'request';
  return err.validation
    .map((issue) => {
      const path = issue.instancePath.split('/').filter(Boolean).join('.');
      return `${part}${path ? `.${path}` : ''}: ${issue.message ?? 'invalid'}`;
    })
    .join('; ');
}

export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const answer = describeError(err);
    if (answer) {
      if (answer.log) request.log[answer.log.level](answer.log.fields, answer.log.text);
      // An outage (Temporal, Universign, the database): the caller should come back, not give up.
      if (answer.statusCode === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply
        .code(answer.statusCode)
        .send({ error: STATUS_CODES[answer.statusCode] ?? 'Error', message: answer.message, ...answer.extra });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(400).send({ error: 'Bad Request', message: describeZodIssues(err) });
    }
    const statusCode = err.validation ? 400 : (err.statusCode ?? 500);
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
