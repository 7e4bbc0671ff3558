/**
 * Waits, for a bounded time, for a send workflow's outcome: its result (the transaction is
 * started and its workflow too), its failure as a SendFailedError naming the step, or nothing yet
 * (the caller answers 202 and GET /api/signature-requests/:id reports the progress).
 */
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';
import { SEND_STEP_FAILED, type SendFailureDetails, type SendResult } from '../../workflows/send-messages';
import { SendFailedError } from '../domain-errors';

export type SendOutcome = { kind: 'sent'; result: SendResult } | { kind: 'pending' };

export async function awaitSendResult(temporal: Client, requestId: string, waitMs: number): Promise<SendOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  try {
    const result: SendResult = await temporal.connection.withAbortSignal(controller.signal, () =>
      temporal.workflow.getHandle(requestId).result(),
    );
    return { kind: 'sent', result };
  } catch (err) {
    if (controller.signal.aborted) return { kind: 'pending' };
    if (err instanceof WorkflowFailedError) throw sendFailureError(err, requestId);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** What failed, read from the workflow's failure: the step, its message, the transaction if created. */
export function readSendFailure(err: WorkflowFailedError): { step: string | null; message: string; details: SendFailureDetails | null } {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === SEND_STEP_FAILED) {
    const details = (cause.details?.[0] ?? null) as SendFailureDetails | null;
    return { step: details?.step ?? null, message: cause.message, details };
  }
  return { step: null, message: cause?.message ?? err.message, details: null };
}

function sendFailureError(err: WorkflowFailedError, requestId: string): SendFailedError {
  const { step, message, details } = readSendFailure(err);
  const where = {
    requestId,
    ...(step !== null ? { step } : {}),
    ...(details?.transactionId ? { transactionId: details.transactionId } : {}),
  };
  const advice = 'this request has failed for good: fix the cause, then send it with a new Idempotency-Key';
  if (details?.causeType === UNIVERSIGN_ERROR_TYPES.retryable) {
    return new SendFailedError(`Universign was unavailable: ${message}; ${advice}`, where, true);
  }
  if (details?.causeType === UNIVERSIGN_ERROR_TYPES.auth) {
    return new SendFailedError(`Universign refused the API key: ${message}; check UNIVERSIGN_API_KEY`, where, false);
  }
  return new SendFailedError(`Universign refused the request: ${message}; ${advice}`, where, false);
}
