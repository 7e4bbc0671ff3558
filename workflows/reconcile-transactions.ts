/**
 * `reconcileTransactions`: the safety net behind webhooks and polling, run by the Temporal
 * Schedule `universign-reconcile`. In pages read by activities, it
 * 1. delivers webhook events recorded but never signalled, once the API's own redelivery has had
 *    its chance (their lease ended more than `webhookGraceSeconds` ago);
 * 2. starts the `signatureTransaction` workflow of every non-final transaction that has none
 *    running (a failed or terminated run, a lost namespace);
 * 3. sends `forceResync` to running ones not synced for `staleAfterSeconds`.
 * Returns the counts (also in the worker's metrics). Deterministic: no I/O here.
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconcileActivities } from '../activities/reconcile/create-reconcile-activities';
import {
  DEFAULT_RECONCILE_SETTINGS,
  emptyReconcileResult,
  type ReconcileInput,
  type ReconcileProgress,
  type ReconcileResult,
} from './reconcile-messages';

// A page retries a few times (the database or Temporal briefly away), then the run fails: the next one starts over.
const activities = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Bounds one run's event delivery (each batch claims up to 50): a flood is finished by the next runs. */
const MAX_EVENT_BATCHES = 100;

export async function reconcileTransactions(input: ReconcileInput = {}): Promise<ReconcileResult> {
  const staleAfterSeconds = input.staleAfterSeconds ?? DEFAULT_RECONCILE_SETTINGS.staleAfterSeconds;
  const webhookGraceSeconds = input.webhookGraceSeconds ?? DEFAULT_RECONCILE_SETTINGS.webhookGraceSeconds;
  const limit = input.pageSize ?? DEFAULT_RECONCILE_SETTINGS.pageSize;
  const progress: ReconcileProgress = input.carried ?? {
    startedAtMs: Date.now(),
    phase: 'events',
    afterId: null,
    totals: emptyReconcileResult(),
  };
  const { totals } = progress;
  const goOnInNewRun = () => continueAsNew<typeof reconcileTransactions>({ ...input, carried: progress });

  if (progress.phase === 'events') {
    const dueBefore = new Date(progress.startedAtMs - webhookGraceSeconds * 1000).toISOString();
    // Each claimed event's lease moves past `dueBefore`: a batch never comes back in this run.
    for (let batch = 0; batch < MAX_EVENT_BATCHES; batch += 1) {
      const pass = await activities.deliverOverdueWebhookEvents({ dueBefore });
      totals.eventsDelivered += pass.signalled;
      totals.eventsIgnored += pass.ignored;
      totals.failed += pass.failed;
      if (pass.claimed === 0 || pass.interrupted) break;
      if (workflowInfo().continueAsNewSuggested) await goOnInNewRun();
    }
    progress.phase = 'transactions';
  }

  const staleBefore = new Date(progress.startedAtMs - staleAfterSeconds * 1000).toISOString();
  do {
    const page = await activities.reconcileTransactionPage({ afterId: progress.afterId, limit, staleBefore });
    totals.scanned += page.scanned;
    totals.started += page.started;
    totals.alreadyRunning += page.alreadyRunning;
    totals.resynced += page.resynced;
    totals.failed += page.failed;
    progress.afterId = page.nextAfterId;
    if (progress.afterId && workflowInfo().continueAsNewSuggested) await goOnInNewRun();
  } while (progress.afterId);

  await activities.recordReconcileRun(totals);
  return totals;
}
