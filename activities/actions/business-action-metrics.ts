/**
 * What the business-action activities report to the worker's metrics (worker/worker-metrics.ts
 * implements it with prom-client). Optional: tests and tools pass nothing.
 */
export type BusinessActionOutcomeLabel =
  /** Carried out, or recorded as skipped (not configured, not a quote…). */
  | 'done'
  | 'skipped'
  /** Found done by an earlier attempt or another worker: nothing repeated. */
  | 'already_done'
  /** One attempt failed; Temporal retries it. */
  | 'attempt_failed'
  /** Retries exhausted: recorded as failed. */
  | 'failed';

export interface BusinessActionMetrics {
  businessAction(kind: string, outcome: BusinessActionOutcomeLabel): void;
}
