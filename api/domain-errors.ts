/**
 * What can go wrong in the API's services, named by what happened and free of HTTP: the one
 * error handler (plugins/error-handler.ts) decides the status and body of each. Errors of the
 * Universign client (activities/universign-errors.ts) and of webhook verification and parsing are
 * domain errors too, and mapped there as well.
 */
import type { TransactionView } from './transactions/transaction-schemas';

/** No transaction with this id is recorded here (or, for a cancel, known to Universign). */
export class UnknownTransactionError extends Error {
  override name = 'UnknownTransactionError';
  constructor(
    readonly transactionId: string,
    message = `unknown transaction ${transactionId}`,
  ) {
    super(message);
  }
}

/** The transaction's status is final, so it cannot be changed (e.g. cancelled); its recorded view is attached. */
export class TransactionFinalError extends Error {
  override name = 'TransactionFinalError';
  constructor(
    message: string,
    readonly transaction: TransactionView,
  ) {
    super(message);
  }
}

/** The transaction's workflow has ended or is gone, so it cannot sync or record anything; the recorded view is attached. */
export class WorkflowEndedError extends Error {
  override name = 'WorkflowEndedError';
  constructor(
    message: string,
    readonly transaction: TransactionView | null,
  ) {
    super(message);
  }
}

/** Universign refused the request for this transaction (e.g. a state that cannot be cancelled). */
export class UniversignRejectedError extends Error {
  override name = 'UniversignRejectedError';
}

/** Temporal could not be reached, or the workflow's update got no answer before the deadline. */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

/** A verified webhook event could not be recorded (the database did not answer): Universign should retry. */
export class WebhookNotRecordedError extends Error {
  override name = 'WebhookNotRecordedError';
  constructor(
    readonly eventId: string,
    options: { cause: unknown },
  ) {
    super('cannot record the event; retry later', options);
  }
}

/** A signature request the schema let through but its meaning refuses (not base64, not a PDF, an expiry out of bounds). */
export class InvalidSignatureRequestError extends Error {
  override name = 'InvalidSignatureRequestError';
}

/** The decoded PDF is over the limit (the body itself was within the route's body limit). */
export class DocumentTooLargeError extends Error {
  override name = 'DocumentTooLargeError';
}

/** No send with this request id. */
export class UnknownSignatureRequestError extends Error {
  override name = 'UnknownSignatureRequestError';
  constructor(readonly requestId: string) {
    super(`no signature request ${requestId}`);
  }
}

/** The Idempotency-Key was already used with another body. */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
  constructor(readonly requestId: string) {
    super('this Idempotency-Key was already used with a different request body; use a new key for a new request');
  }
}

/** Where a send failed: its request id, the step, and the Universign transaction when one was created. */
export interface SendFailureWhere {
  requestId: string;
  step?: string;
  transactionId?: string;
}

/** The Sage gateway answered that the document to send does not exist: nothing was sent. */
export class UnknownSageDocumentError extends Error {
  override name = 'UnknownSageDocumentError';
  constructor(
    readonly document: { type: string; number: string },
    readonly where: SendFailureWhere,
  ) {
    super(`Sage document ${document.type} ${document.number} does not exist`);
  }
}

/**
 * A send that failed: the Sage document's check, the PDF upload, the start of its workflow, or a step of that workflow.
 * `unavailable`: the Sage gateway, Universign or Temporal did not answer (a 503, worth a retry); otherwise it was refused (a 502).
 */
export class SendFailedError extends Error {
  override name = 'SendFailedError';
  constructor(
    message: string,
    readonly where: SendFailureWhere,
    readonly unavailable: boolean,
  ) {
    super(message);
  }
}
