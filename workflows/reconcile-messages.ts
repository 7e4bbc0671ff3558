/**
 * The `reconcileTransactions` workflow's contract: its names, defaults (the worker's configuration
 * takes them from here), input, result and the page requests its activities answer. Run by the
 * Temporal Schedule `universign-reconcile` (worker/ensure-reconcile-schedule.ts).
 */

export const RECONCILE_WORKFLOW_TYPE = 'reconcileTransactions';
export const RECONCILE_SCHEDULE_ID = 'universign-reconcile';

export const DEFAULT_RECONCILE_SETTINGS = {
  /** Seconds between runs (RECONCILE_INTERVAL_SECONDS; 0 pauses the schedule). */
  intervalSeconds: 300,
  /** A non-final transaction not synced for this long is forced to resync (RECONCILE_STALE_AFTER_SECONDS). */
  staleAfterSeconds: 3600,
  /**
   * A webhook event still undelivered this long after its delivery lease ended is delivered by the
   * reconciliation; before that the API's own redelivery (every 5 s) normally takes it.
   */
  webhookGraceSeconds: 60,
  /** Transactions read per activity (one page, ordered by id). */
  pageSize: 200,
} as const;

export interface ReconcileInput {
  staleAfterSeconds?: number;
  webhookGraceSeconds?: number;
  pageSize?: number;
  /** Set only by continue-as-new: where the previous run stopped. */
  carried?: ReconcileProgress;
}

export interface ReconcileProgress {
  /** Workflow time (epoch ms) the reconciliation started at: every cutoff counts from it. */
  startedAtMs: number;
  phase: 'events' | 'transactions';
  /** Last transaction id done (the transactions phase). */
  afterId: string | null;
  totals: ReconcileResult;
}

export interface ReconcileResult {
  /** Non-final transactions examined. */
  scanned: number;
  /** Of those, workflows started because none was running. */
  started: number;
  /** Of those, workflows found running (the resynced ones included). */
  alreadyRunning: number;
  /** Webhook events left undelivered, now signalled. */
  eventsDelivered: number;
  /** Webhook events left undelivered whose transaction turned out final or its workflow completed: marked ignored. */
  eventsIgnored: number;
  /** Running workflows of stale transactions sent `forceResync`. */
  resynced: number;
  /** Starts, signals and event deliveries that failed (retried by the next run). */
  failed: number;
}

export function emptyReconcileResult(): ReconcileResult {
  return { scanned: 0, started: 0, alreadyRunning: 0, eventsDelivered: 0, eventsIgnored: 0, resynced: 0, failed: 0 };
}

/** One page of non-final transactions, those with an id after `afterId`. */
export interface TransactionPageRequest {
  afterId: string | null;
  limit: number;
  /** ISO-8601: a transaction last synced (or, never synced, created) before this is stale. */
  staleBefore: string;
}

export interface TransactionPageResult {
  scanned: number;
  started: number;
  alreadyRunning: number;
  resynced: number;
  failed: number;
  /** Id to go on after; null once the page was the last. */
  nextAfterId: string | null;
}

export interface WebhookEventBatchRequest {
  /** ISO-8601: take events whose delivery lease had ended by then. */
  dueBefore: string;
}

export interface WebhookEventBatchResult {
  claimed: number;
  signalled: number;
  ignored: number;
  /** Claimed but not delivered (refused, or Temporal unreachable). */
  failed: number;
  /** Temporal unreachable: stop for this run. */
  interrupted: boolean;
}
