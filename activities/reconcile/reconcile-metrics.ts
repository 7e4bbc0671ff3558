/**
 * What the reconciliation reports to the worker's metrics (worker/worker-metrics.ts implements it
 * with prom-client). Optional: tests and tools pass nothing.
 */
export type ReconcileAction = 'started' | 'already_running' | 'resynced' | 'event_signalled' | 'event_ignored' | 'failed';

export interface ReconcileMetrics {
  /** `count` more of an action taken (or found unneeded: already_running) by a reconciliation. */
  reconcileActions(action: ReconcileAction, count: number): void;
  /** A reconciliation run finished. */
  reconcileRunFinished(): void;
}
