/**
 * POST /api/transactions/:id/cancel: cancels the transaction on Universign, then runs the
 * workflow's `resync` update so the workflow itself records ANNULE (it alone moves the status).
 */
import { TransactionNotFoundError, UniversignBadResponseError } from '../../activities/universign-errors';
import type { TransactionState } from '../../workflows/messages';
import { isFinalStatus } from '../../workflows/status-machine';
import type { AppDeps } from '../app-deps';
import {
  TemporalUnavailableError,
  TransactionFinalError,
  UniversignRejectedError,
  UnknownTransactionError,
  WorkflowEndedError,
} from '../domain-errors';
import { getTransactionView } from './get-transaction-view';
import { requestWorkflowResync, type WorkflowResync } from './request-workflow-resync';

/** `recorded`: the workflow has recorded ANNULE; otherwise Universign has cancelled and the record is still to come. */
export type CancelResult =
  | { recorded: true; transactionId: string; state: TransactionState }
  | { recorded: false; transactionId: string; state: TransactionState | null; message: string };

/**
 * Throws UnknownTransactionError, TransactionFinalError, WorkflowEndedError, UniversignRejectedError,
 * or the Universign client's UniversignAuthError / UniversignUnavailableError / UniversignBadResponseError.
 */
export async function cancelTransaction(
  deps: Pick<AppDeps, 'prisma' | 'temporal' | 'universign'>,
  transactionId: string,
): Promise<CancelResult> {
  const view = await getTransactionView(deps.prisma, transactionId);
  if (!view) throw new UnknownTransactionError(transactionId);
  if (isFinalStatus(view.status)) {
    throw new TransactionFinalError(`transaction ${transactionId} is already ${view.status}, a final status: it cannot be cancelled`, view);
  }

  try {
    await deps.universign.cancelTransaction(transactionId);
  } catch (err) {
    if (err instanceof TransactionNotFoundError) {
      throw new UnknownTransactionError(transactionId, `Universign does not know transaction ${transactionId}`);
    }
    // A 4xx is Universign refusing (e.g. a state that cannot be cancelled); anything else is a broken answer.
    if (err instanceof UniversignBadResponseError && err.status !== undefined && err.status >= 400 && err.status < 500) {
      throw new UniversignRejectedError(`Universign refused to cancel ${transactionId}: ${err.message}`, { cause: err });
    }
    throw err;
  }

  let resync: WorkflowResync;
  try {
    resync = await requestWorkflowResync(deps.temporal, transactionId, 'cancelled through the API');
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError)) throw err;
    // Universign has cancelled: the workflow records it at its next poll or webhook.
    return { recorded: false, transactionId, state: null, message: `cancelled on Universign; not yet recorded (${err.message})` };
  }
  // A webhook for the cancellation may have completed the workflow first: its result is the same record.
  const state = resync.kind === 'synced' ? resync.state : resync.kind === 'closed' ? resync.finalState : null;
  if (!state) {
    const why = resync.kind === 'closed' ? `its workflow has ended (${resync.workflowStatus})` : 'it has no workflow';
    throw new WorkflowEndedError(
      `transaction ${transactionId} was cancelled on Universign, but ${why}, so ANNULE is not recorded`,
      await getTransactionView(deps.prisma, transactionId),
    );
  }
  if (state.status === 'ANNULE') return { recorded: true, transactionId, state };
  // The read after cancelling failed or lagged (see state.lastSyncError): the next sync records it.
  return { recorded: false, transactionId, state, message: 'cancelled on Universign; the workflow has not recorded it yet' };
}
