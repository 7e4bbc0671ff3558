/**
 * What the sync activities report to the worker's metrics (worker/worker-metrics.ts implements it
 * with prom-client). Optional: tests and tools pass nothing.
 */
import type { LocalStatus } from '../workflows/status-machine';
import type { SyncSource } from './sync-contracts';

export type SyncOutcome = 'changed' | 'quiet' | 'failed';

export interface SyncMetrics {
  /** A sync recorded (once per sync, retries of the same sync excepted). */
  syncRecorded(source: SyncSource, outcome: SyncOutcome): void;
  /** A poll read Universign `seconds` after it was due (rate-limit wait and worker queueing included). */
  pollStarted(latenessSeconds: number): void;
  /** A sync recorded a status change (`from` null: the transaction's first status). */
  statusChanged(from: LocalStatus | null, to: LocalStatus): void;
}
