/**
 * POST /api/transactions/:id/cancel: cancels the transaction on Universign, then runs the
 * workflow's `resync` update so the workflow itself records ANNULE (it alone moves the status).
 */
import {
  TransactionNotFoundError,
  UniversignAuthError,
  UniversignBadResponseError,
  UniversignUnavailableError,
} from '../activities/universign-errors';
import type { TransactionState } from '../workflows/messages';
import { isFinalStatus } from '../workflows/status-machine';
import type { AppDeps } from './app-deps';
import { getTransactionView } from './get-transaction-view';
import { HttpError } from './plugins/error-handler';
import { requestWorkflowResync, TemporalUnavailableError, type WorkflowResync } from './request-workflow-resync';

/** Counted as `cancel_<outcome>` in api_resyncs_total. */
export type CancelOutcome = 'ok' | 'pending' | 'not_found' | 'conflict' | 'upstream_error' | 'unavailable';

export interface CancelResult {
  /** 200 once the workflow recorded ANNULE; 202 when Universign cancelled but the record is still to come. */
  statusCode: 200 | 202;
  body: { transactionId: string; state: TransactionState | null; message?: string };
}

export async function cancelTransaction(
  deps: Pick<AppDeps, 'prisma' | 'temporal' | 'universign'>,
  transactionId: string,
  onOutcome: (outcome: CancelOutcome) => void,
): Promise<CancelResult> {
  const fail = (outcome: CancelOutcome, error: HttpError): never => {
    onOutcome(outcome);
    throw error;
  };

  const view = await getTransactionView(deps.prisma, transactionId);
  if (!view) return fail('not_found', new HttpError(404, `unknown transaction ${transactionId}`));
  if (isFinalStatus(view.status)) {
    return fail(
      'conflict',
      new HttpError(409, `transaction ${transactionId} is already ${view.status}, a final status: it cannot be cancelled`, {
        transaction: view,
      }),
    );
  }

  try {
    await deps.universign.cancelTransaction(transactionId);
  } catch (err) {
    const mapped = universignFailure(err, transactionId);
    if (!mapped) throw err;
    return fail(mapped.outcome, mapped.error);
  }

  let resync: WorkflowResync;
  try {
    resync = await requestWorkflowResync(deps.temporal, transactionId, 'cancelled through the API');
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError)) throw err;
    // Universign has cancelled: the workflow records it at its next poll or webhook.
    onOutcome('pending');
    return {
      statusCode: 202,
      body: { transactionId, state: null, message: `cancelled on Universign; not yet recorded (${err.message})` },
    };
  }
  // A webhook for the cancellation may have completed the workflow first: its result is the same record.
  const state = resync.kind === 'synced' ? resync.state : resync.kind === 'closed' ? resync.finalState : null;
  if (!state) {
    const why = resync.kind === 'closed' ? `its workflow has ended (${resync.workflowStatus})` : 'it has no workflow';
    return fail(
      'conflict',
      new HttpError(409, `transaction ${transactionId} was cancelled on Universign, but ${why}, so ANNULE is not recorded`, {
        transaction: await getTransactionView(deps.prisma, transactionId),
      }),
    );
  }
  if (state.status === 'ANNULE') {
    onOutcome('ok');
    return { statusCode: 200, body: { transactionId, state } };
  }
  // The read after cancelling failed or lagged (see state.lastSyncError): the next sync records it.
  onOutcome('pending');
  return {
    statusCode: 202,
    body: { transactionId, state, message: 'cancelled on Universign; the workflow has not recorded it yet' },
  };
}

function universignFailure(err: unknown, transactionId: string): { outcome: CancelOutcome; error: HttpError } | null {
  if (err instanceof TransactionNotFoundError) {
    return { outcome: 'not_found', error: new HttpError(404, `Universign does not know transaction ${transactionId}`) };
  }
  if (err instanceof UniversignAuthError) {
    // Says which setting to check, never the key itself.
    return {
      outcome: 'upstream_error',
      error: new HttpError(502, `Universign refused this service's API key (HTTP ${err.status ?? '?'}); check UNIVERSIGN_API_KEY`),
    };
  }
  if (err instanceof UniversignUnavailableError) {
    const detail = err.status === undefined ? 'no answer' : `HTTP ${err.status}`;
    return { outcome: 'unavailable', error: new HttpError(503, `Universign is unavailable (${detail}); retry later`) };
  }
  if (err instanceof UniversignBadResponseError) {
    // A 4xx is Universign refusing (e.g. a state that cannot be cancelled); anything else is a broken answer.
    if (err.status !== undefined && err.status >= 400 && err.status < 500) {
      return { outcome: 'conflict', error: new HttpError(409, `Universign refused to cancel ${transactionId}: ${err.message}`) };
    }
    return { outcome: 'upstream_error', error: new HttpError(502, `unexpected answer from Universign: ${err.message}`) };
  }
  return null;
}
