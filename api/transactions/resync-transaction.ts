/**
 * POST /api/transactions/:id/resync: forces a sync through the workflow's `resync` update and
 * answers with the state it produced. The workflow holds the truth, so nothing is read from
 * Universign or written to the database here.
 */
import type { TransactionState } from '../../workflows/messages';
import type { AppDeps } from '../app-deps';
import { TemporalUnavailableError, UnknownTransactionError, WorkflowEndedError } from '../domain-errors';
import { getTransactionView } from './get-transaction-view';
import { requestWorkflowResync, type WorkflowResync } from './request-workflow-resync';

export interface ResyncResult {
  transactionId: string;
  state: TransactionState;
}

/** Throws UnknownTransactionError, WorkflowEndedError (with the recorded view) or TemporalUnavailableError. */
export async function resyncTransaction(
  deps: Pick<AppDeps, 'prisma' | 'temporal'>,
  transactionId: string,
  reason: string | undefined,
): Promise<ResyncResult> {
  let resync: WorkflowResync;
  try {
    resync = await requestWorkflowResync(deps.temporal, transactionId, reason);
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError)) throw err;
    throw new TemporalUnavailableError(`cannot resync transaction ${transactionId} now: ${err.message}; retry later`, { cause: err });
  }
  if (resync.kind === 'synced') return { transactionId, state: resync.state };
  const view = await getTransactionView(deps.prisma, transactionId);
  if (resync.kind === 'missing' && !view) throw new UnknownTransactionError(transactionId);
  const why = resync.kind === 'missing' ? 'it has no workflow any more' : `its workflow has already ended (${resync.workflowStatus})`;
  throw new WorkflowEndedError(`transaction ${transactionId} cannot be resynced: ${why}; the last recorded view is attached`, view);
}
