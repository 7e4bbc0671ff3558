/**
 * POST /api/transactions/:id/resync: forces a sync through the workflow's `resync` update and
 * answers with the state it produced. The workflow holds the truth, so nothing is read from
 * Universign or written to the database here.
 */
import type { TransactionState } from '../workflows/messages';
import type { AppDeps } from './app-deps';
import { getTransactionView } from './get-transaction-view';
import { HttpError } from './plugins/error-handler';
import { requestWorkflowResync, TemporalUnavailableError, type WorkflowResync } from './request-workflow-resync';

/** Counted as `resync_<outcome>` in api_resyncs_total. */
export type ResyncOutcome = 'ok' | 'not_found' | 'conflict' | 'unavailable';

export interface ResyncResult {
  transactionId: string;
  state: TransactionState;
}

/** Throws HttpError (404, 409, 503) for what the caller should hear; `onOutcome` feeds the metrics. */
export async function resyncTransaction(
  deps: Pick<AppDeps, 'prisma' | 'temporal'>,
  transactionId: string,
  reason: string | undefined,
  onOutcome: (outcome: ResyncOutcome) => void,
): Promise<ResyncResult> {
  let resync: WorkflowResync;
  try {
    resync = await requestWorkflowResync(deps.temporal, transactionId, reason);
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError)) throw err;
    onOutcome('unavailable');
    throw new HttpError(503, `cannot resync transaction ${transactionId} now: ${err.message}; retry later`);
  }
  if (resync.kind === 'synced') {
    onOutcome('ok');
    return { transactionId, state: resync.state };
  }
  const view = await getTransactionView(deps.prisma, transactionId);
  if (resync.kind === 'missing' && !view) {
    onOutcome('not_found');
    throw new HttpError(404, `unknown transaction ${transactionId}`);
  }
  onOutcome('conflict');
  const why = resync.kind === 'missing' ? 'it has no workflow any more' : `its workflow has already ended (${resync.workflowStatus})`;
  throw new HttpError(409, `transaction ${transactionId} cannot be resynced: ${why}; the last recorded view is attached`, {
    transaction: view,
  });
}
