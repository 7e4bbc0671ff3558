/**
 * Inputs and outputs of the sync activities, shared by the workflow (as types only) and the
 * activities. Everything is plain JSON so it round-trips through Temporal history.
 */
import type { LocalStatus } from '../workflows/status-machine';
import type { TransactionSnapshot } from './transaction-snapshot';

export interface SageDocumentRef {
  type: string;
  number: string;
}

/** What triggered a sync; stored in the sync log. */
export type SyncSource = 'start' | 'poll' | 'webhook' | 'forced' | 'update';

export interface RecordSyncInput {
  /** Unique per sync attempt of a workflow (`<workflowId>/<sequence>`): makes the activity idempotent. */
  syncKey: string;
  workflowId: string;
  transactionId: string;
  sageDocument: SageDocumentRef | null;
  source: SyncSource;
  snapshot: TransactionSnapshot;
  previousStatus: LocalStatus | null;
  status: LocalStatus;
  statusChanged: boolean;
  /** Why an observed status was not applied (backward move, final status, unknown state), if so. */
  conflict: string | null;
  webhookReceived: boolean;
}

export interface RecordSyncResult {
  /** false when this syncKey had already been recorded (a retry): nothing was written. */
  recorded: boolean;
}

/** A sync that found nothing new: only the row's last read and counters change. */
export interface RecordQuietSyncInput {
  syncKey: string;
  transactionId: string;
  source: SyncSource;
  /** When Universign was read (the snapshot's fetchedAt). */
  syncedAt: string;
  webhookReceived: boolean;
}

export interface RecordQuietSyncResult {
  recorded: boolean;
  /** The transaction has no row (deleted by hand): the workflow records the sync in full instead. */
  missing: boolean;
}

/** Optional second argument of fetchUniversignTransaction. */
export interface FetchContext {
  /** For a poll: when it was due (epoch ms), so the worker can measure how late polls start. */
  dueAtMs?: number;
}

export interface RecordSyncFailureInput {
  syncKey: string;
  workflowId: string;
  transactionId: string;
  sageDocument: SageDocumentRef | null;
  source: SyncSource;
  /** The status held when the sync failed (null if the transaction was never read). */
  status: LocalStatus | null;
  error: { type: string; message: string };
  /** Workflow time of the failure (ISO-8601). */
  at: string;
  /** true when this failure ends the workflow (e.g. the transaction does not exist on Universign). */
  terminal: boolean;
}

/** Input of every business-action activity: what the status change was and what it concerns. */
export interface BusinessActionInput {
  transactionId: string;
  workflowId: string;
  /** The status whose entry calls for the action (part of the action's identity). */
  status: LocalStatus;
  sageDocument: SageDocumentRef | null;
  transactionName: string | null;
  signers: Array<{ email: string; name: string | null; state: string }>;
  documents: Array<{ id: string; name: string | null }>;
  /** When the status change was observed (ISO-8601). */
  at: string;
}

export interface BusinessActionOutcome {
  state: 'done' | 'skipped';
  /** Short human-readable result (order number, files archived, why skipped…). */
  summary: string;
  /** true when an earlier attempt had already done it: nothing was repeated. */
  replayed: boolean;
}

export interface RecordActionFailureInput {
  transactionId: string;
  kind: string;
  status: LocalStatus;
  error: { type: string; message: string };
}
