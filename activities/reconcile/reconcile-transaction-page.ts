/**
 * One page of the reconciliation's pass over non-final transactions (ordered by id, after the
 * previous page's last one): starts the workflow of each that has none running, with the same
 * start options as every other starter (buildSignatureWorkflowStart), and sends `forceResync` to
 * the running ones not synced since `staleBefore`. Idempotent: a start finding the workflow
 * running counts it as running; a repeated `forceResync` only syncs once more.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client';
import { transactionLogIds } from '../../shared/transaction-log-ids';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';
import { forceResyncSignal, type PollSettings } from '../../workflows/messages';
import type { TransactionPageRequest, TransactionPageResult } from '../../workflows/reconcile-messages';
import { isFinalStatus, LOCAL_STATUSES } from '../../workflows/status-machine';
import { activityLogger, currentActivityContext, errorText } from '../activity-logger';
import type { ReconcileMetrics } from './reconcile-metrics';

export interface TransactionPageDeps {
  prisma: PrismaClient;
  temporal: Client;
  /** Task queue and poll cadence of the workflows it starts: the worker's. */
  settings: { taskQueue: string; poll: PollSettings };
  metrics?: ReconcileMetrics;
}

type Outcome = 'started' | 'already_running' | 'resynced' | 'failed';

// Named as a list (not "not final") so an index on the open statuses serves the query.
const OPEN_STATUSES = LOCAL_STATUSES.filter((status) => !isFinalStatus(status));

interface TransactionRow {
  id: string;
  universignId: string;
  sageDocumentType: string | null;
  sageDocumentNumber: string | null;
  lastSyncedAt: Date | null;
  createdAt: Date;
}

export function createReconcileTransactionPage({ prisma, temporal, settings, metrics }: TransactionPageDeps) {
  async function reconcileOne(row: TransactionRow, staleBefore: Date): Promise<Outcome> {
    const sageDocument =
      row.sageDocumentType && row.sageDocumentNumber ? { type: row.sageDocumentType, number: row.sageDocumentNumber } : null;
    const start = buildSignatureWorkflowStart({ transactionId: row.universignId, sageDocument, ...settings });
    try {
      await temporal.workflow.start(start.workflowType, start.options);
      activityLogger().info('reconciliation started a transaction workflow none was running', transactionLogIds(row.universignId));
      return 'started';
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        activityLogger().warn('reconciliation could not start a transaction workflow', {
          ...transactionLogIds(row.universignId),
          err: errorText(err),
        });
        return 'failed';
      }
    }
    const lastSeen = row.lastSyncedAt ?? row.createdAt;
    if (lastSeen >= staleBefore) return 'already_running';
    try {
      await temporal.workflow
        .getHandle(start.options.workflowId)
        .signal(forceResyncSignal, { reason: `reconciliation: not synced since ${lastSeen.toISOString()}` });
      return 'resynced';
    } catch (err) {
      // Not found: its run completed although the row is not final (the reuse policy forbids a new one).
      const closed = err instanceof WorkflowNotFoundError;
      activityLogger().warn(
        closed ? 'stale transaction whose workflow has completed: not resynced' : 'reconciliation could not signal forceResync',
        { ...transactionLogIds(row.universignId), err: errorText(err) },
      );
      return 'failed';
    }
  }

  return async function reconcileTransactionPage(request: TransactionPageRequest): Promise<TransactionPageResult> {
    const staleBefore = new Date(request.staleBefore);
    const rows = await prisma.signatureTransaction.findMany({
      where: {
        status: { in: OPEN_STATUSES },
        ...(request.afterId ? { id: { gt: request.afterId } } : {}),
        // Universign does not know it: its workflow ended after repeated reads saying so; a new run would only repeat them.
        OR: [{ lastSyncError: null }, { NOT: { lastSyncError: { startsWith: `${UNIVERSIGN_ERROR_TYPES.notFound}:` } } }],
      },
      orderBy: { id: 'asc' },
      take: request.limit,
      select: {
        id: true,
        universignId: true,
        sageDocumentType: true,
        sageDocumentNumber: true,
        lastSyncedAt: true,
        createdAt: true,
      },
    });
    const result: TransactionPageResult = {
      scanned: rows.length,
      started: 0,
      alreadyRunning: 0,
      resynced: 0,
      failed: 0,
      nextAfterId: null,
    };
    for (const [index, row] of rows.entries()) {
      currentActivityContext()?.heartbeat({ afterId: request.afterId, done: index });
      const outcome = await reconcileOne(row, staleBefore);
      if (outcome === 'started') result.started += 1;
      else if (outcome === 'failed') result.failed += 1;
      else {
        result.alreadyRunning += 1;
        if (outcome === 'resynced') result.resynced += 1;
      }
      metrics?.reconcileActions(outcome, 1);
    }
    result.nextAfterId = rows.length === request.limit ? (rows.at(-1)?.id ?? null) : null;
    return result;
  };
}
