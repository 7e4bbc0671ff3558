/**
 * Errors raised by the Universign client, classified by what the caller should do about them,
 * and their conversion to Temporal `ApplicationFailure`s. Each class names its failure type
 * (from workflows/error-types, the one list the workflow's retry policies also read).
 */
import { ApplicationFailure } from '@temporalio/common';
import { isPermanentErrorType, UNIVERSIGN_ERROR_TYPES } from '../workflows/error-types';

/** Where an error happened. Never holds the API key: callers redact bodies before passing them. */
export interface UniversignErrorContext {
  method?: string;
  path?: string;
  status?: number;
  /** Response body (or part of it); only an excerpt goes into the message. */
  body?: string;
  /** Why the call failed, when there is no useful status (timeout, connection refused, bad JSON). */
  reason?: string;
  cause?: unknown;
}

const BODY_EXCERPT_CHARS = 200;

/** Shortens a response body to one line, so messages stay readable in logs and Temporal history. */
export function excerptBody(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > BODY_EXCERPT_CHARS ? `${oneLine.slice(0, BODY_EXCERPT_CHARS)}…` : oneLine;
}

function describeCall(context: UniversignErrorContext): string {
  const parts = [`Universign ${context.method ?? 'call'} ${context.path ?? ''}`.trimEnd()];
  if (context.status !== undefined) parts.push(`→ HTTP ${context.status}`);
  if (context.reason) parts.push(`(${context.reason})`);
  let message = parts.join(' ');
  if (context.body) message += `: ${excerptBody(context.body)}`;
  return message;
}

export abstract class UniversignError extends Error {
  /** ApplicationFailure.type of this error. */
  abstract readonly type: string;
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;

  constructor(context: UniversignErrorContext) {
    super(describeCall(context), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    if (context.status !== undefined) this.status = context.status;
    if (context.method !== undefined) this.method = context.method;
    if (context.path !== undefined) this.path = context.path;
  }
}

/** 404: the transaction (or one of its parts) does not exist for this key. */
export class TransactionNotFoundError extends UniversignError {
  readonly type = UNIVERSIGN_ERROR_TYPES.notFound;
}

/** 401/403: missing, wrong or under-privileged API key. Retrying will not help. */
export class UniversignAuthError extends UniversignError {
  readonly type = UNIVERSIGN_ERROR_TYPES.auth;
}

/** 429, 5xx, timeout or connection failure: worth retrying later. */
export class UniversignUnavailableError extends UniversignError {
  readonly type = UNIVERSIGN_ERROR_TYPES.retryable;
}

/** Any other 4xx, or a 2xx whose body is not what the API documents: retrying will not help. */
export class UniversignBadResponseError extends UniversignError {
  readonly type = UNIVERSIGN_ERROR_TYPES.badResponse;
}

/** Picks the error class for a non-2xx HTTP status. */
export function errorForStatus(context: UniversignErrorContext & { status: number }): UniversignError {
  const { status } = context;
  if (status === 404) return new TransactionNotFoundError(context);
  if (status === 401 || status === 403) return new UniversignAuthError(context);
  if (status === 429 || status >= 500) return new UniversignUnavailableError(context);
  return new UniversignBadResponseError(context);
}

/**
 * Converts a Universign error into the ApplicationFailure the workflow's retry policy understands;
 * anything else is returned unchanged (the SDK then treats it as a retryable failure).
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof UniversignError)) return err;
  return ApplicationFailure.create({
    message: err.message,
    type: err.type,
    nonRetryable: isPermanentErrorType(err.type),
    details: err.status === undefined ? [] : [{ status: err.status }],
    cause: err,
  });
}
