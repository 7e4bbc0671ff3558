/**
 * Errors raised by the Sage 100 gateway client, classified by what the caller should do about them,
 * and their conversion to Temporal `ApplicationFailure`s the workflow's retry policy understands.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isPermanentErrorType, SAGE_GATEWAY_ERROR_TYPES } from '../workflows/error-types';
import type { SageDocumentRef } from './sync-contracts';
import { excerptBody } from './universign-errors';

/** Where an error happened. Never holds the token: the client redacts bodies and reasons first. */
export interface SageGatewayErrorContext {
  method: string;
  /** Path relative to the gateway base URL, e.g. `/documents/devis/D0042`. */
  path: string;
  status?: number;
  /** Response body (or part of it); only an excerpt is kept. */
  body?: string;
  /** Why the call failed when the status alone does not say it (timeout, refused, bad JSON). */
  reason?: string;
  cause?: unknown;
}

function describeCall(context: SageGatewayErrorContext, excerpt: string): string {
  let message = `Sage gateway ${context.method} ${context.path}`;
  if (context.status !== undefined) message += ` → HTTP ${context.status}`;
  if (context.reason) message += ` (${context.reason})`;
  if (excerpt) message += `: ${excerpt}`;
  return message;
}

export abstract class SageGatewayError extends Error {
  /** ApplicationFailure.type of this error (from workflows/error-types, which says which are permanent). */
  abstract readonly type: string;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  /** One-line, shortened response body ('' when there was none). */
  readonly bodyExcerpt: string;

  constructor(context: SageGatewayErrorContext) {
    const excerpt = context.body === undefined ? '' : excerptBody(context.body);
    super(describeCall(context, excerpt), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.method = context.method;
    this.path = context.path;
    if (context.status !== undefined) this.status = context.status;
    this.bodyExcerpt = excerpt;
  }
}

/** 5xx, 408, 429, timeout or connection failure: the gateway or Sage may well answer later. */
export class SageGatewayUnavailableError extends SageGatewayError {
  readonly type = SAGE_GATEWAY_ERROR_TYPES.unavailable;
}

/**
 * Any other 4xx (bad token, invalid fields, a conflict without the existing order…), or a success
 * whose body breaks the contract: sending the same request again will get the same answer.
 */
export class SageGatewayRejectedError extends SageGatewayError {
  readonly type = SAGE_GATEWAY_ERROR_TYPES.rejected;
  declare readonly status: number;

  constructor(context: SageGatewayErrorContext & { status: number }) {
    super(context);
  }
}

/** 404 on a document: the Sage document does not exist (wrong type or number, or deleted). */
export class SageDocumentNotFoundError extends SageGatewayError {
  readonly type = SAGE_GATEWAY_ERROR_TYPES.documentNotFound;
  declare readonly status: number;
  readonly document: SageDocumentRef;

  constructor(context: SageGatewayErrorContext & { status: number }, document: SageDocumentRef) {
    super(context);
    this.document = { type: document.type, number: document.number };
  }
}

/** Picks the error class for a non-2xx answer to a call about `document`. */
export function sageErrorForStatus(context: SageGatewayErrorContext & { status: number }, document: SageDocumentRef): SageGatewayError {
  const { status } = context;
  if (status === 404) return new SageDocumentNotFoundError(context, document);
  // 408 is the server giving up on a slow request: as retryable as our own timeout.
  if (status === 408 || status === 429 || status >= 500) return new SageGatewayUnavailableError(context);
  return new SageGatewayRejectedError(context);
}

/**
 * Converts a Sage gateway error into an ApplicationFailure (retryable only when the gateway was
 * unavailable: the other types are permanent); anything else is returned unchanged, for the SDK to handle as usual.
 */
export function toSageActivityFailure(err: unknown): unknown {
  if (!(err instanceof SageGatewayError)) return err;
  return ApplicationFailure.create({
    message: err.message,
    type: err.type,
    nonRetryable: isPermanentErrorType(err.type),
    details: err.status === undefined ? [] : [{ status: err.status }],
    cause: err,
  });
}
