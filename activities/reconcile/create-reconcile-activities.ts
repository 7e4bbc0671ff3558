/**
 * Builds the reconciliation workflow's activities from their dependencies (the worker's Prisma
 * client, Temporal client, webhook store and metrics), so the worker wires real ones and tests
 * whatever they need.
 */
import type { ReconcileResult } from '../../workflows/reconcile-messages';
import { activityLogger } from '../activity-logger';
import { createDeliverOverdueWebhookEvents, type OverdueWebhookEventDeps } from './deliver-overdue-webhook-events';
import { createReconcileTransactionPage } from './reconcile-transaction-page';

export type ReconcileActivityDeps = OverdueWebhookEventDeps;

export function createReconcileActivities(deps: ReconcileActivityDeps) {
  return {
    deliverOverdueWebhookEvents: createDeliverOverdueWebhookEvents(deps),
    reconcileTransactionPage: createReconcileTransactionPage(deps),
    async recordReconcileRun(result: ReconcileResult): Promise<void> {
      deps.metrics?.reconcileRunFinished();
      activityLogger().info('reconciliation finished', { ...result });
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
