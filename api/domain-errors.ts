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
