/**
 * The workflow's public messages, defined once and shared by the workflow, the worker's clients,
 * the API and tests. Names are fixed contracts (design.md): change them only with that document.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SageDocumentRef } from '../activities/sync-contracts';
import type { LocalStatus } from './status-machine';

export const SIGNATURE_WORKFLOW_TYPE = 'signatureTransaction';

export function signatureWorkflowId(transactionId: string): string {
  return `universign-${transactionId}`;
}

/** The transaction a workflow run is about, when it is a transaction's workflow (for logs). */
export function transactionIdOfWorkflow(workflowType: unknown, workflowId: unknown): string | undefined {
  const prefix = signatureWorkflowId('');
  if (workflowType !== SIGNATURE_WORKFLOW_TYPE || typeof workflowId !== 'string' || !workflowId.startsWith(prefix)) return undefined;
  return workflowId.slice(prefix.length);
}

export interface PollSettings {
  /** Interval right after a change (seconds). */
  minSeconds?: number;
  /** Cap the interval backs off to while nothing changes (seconds). */
  maxSeconds?: number;
  /** Fixed interval while webhooks are not arriving for the transaction (seconds, default 900). */
  withoutWebhooksSeconds?: number;
}

/** Workflow input. Only `transactionId` is required so an operator can start one from the Web UI. */
export interface SignatureTransactionInput {
  transactionId: string;
  sageDocument?: SageDocumentRef;
  poll?: PollSettings;
  /** Retry of the business actions (defaults: DEFAULT_ACTION_RETRY in business-action-options.ts). */
  actionRetry?: { initialSeconds?: number; maximumIntervalSeconds?: number; maximumAttempts?: number; giveUpAfterHours?: number };
  /**
   * Default true. false leaves search attributes alone: for a namespace where they cannot be
   * registered (the time-skipping test server knows no custom search attributes).
   */
  publishSearchAttributes?: boolean;
  /** Continue-as-new once history reaches this many events, even if the server has not suggested it. */
  maxHistoryEvents?: number;
  /** Set only by continue-as-new: the state carried into the next run. */
  carried?: CarriedState;
}

/** One business action called for by a status change, as the workflow last saw it. */
export interface ActionState {
  kind: string;
  status: LocalStatus;
  state: 'running' | 'done' | 'skipped' | 'failed';
  summary: string | null;
}

export interface SignerState {
  email: string;
  name: string | null;
  state: string;
  url: string | null;
}

/** What the `state` query and the `resync` update return. */
export interface TransactionState {
  transactionId: string;
  workflowId: string;
  sageDocument: SageDocumentRef | null;
  /** null until Universign has been read successfully once. */
  status: LocalStatus | null;
  universignState: string | null;
  stalled: boolean;
  stalledReason: string | null;
  signers: SignerState[];
  syncCount: number;
  statusChanges: number;
  lastSyncedAt: string | null;
  lastSyncError: { type: string; message: string; at: string } | null;
  webhookReceived: boolean;
  /** Webhooks are arriving: one came, and no poll has since found a change before its webhook. Sets the poll cadence. */
  webhooksArriving: boolean;
  actions: ActionState[];
  pollIntervalSeconds: number;
  nextPollAt: string | null;
  final: boolean;
}

/** Everything a new run needs to go on where the previous one stopped. */
export interface CarriedState {
  state: TransactionState;
  /** Id of the first run of the chain: part of every sync key. */
  chainId: string;
  syncSequence: number;
  notFoundStreak: number;
  /** Absolute time (epoch ms) of the next poll, so continue-as-new does not reset the cadence. */
  nextPollAtMs: number;
  /** Recent webhook event ids, for deduplication across runs (bounded). */
  seenEventIds: string[];
  /** Workflow time (epoch ms) of the last webhook signal, and of the last change a poll found first. */
  lastWebhookAtMs?: number | null;
  lastMissedAtMs?: number | null;
  /** What the last recorded sync wrote, to tell a sync that found nothing new (recorded with one small write). */
  lastRecordedKey?: string | null;
}

export interface UniversignEventSignal {
  eventId: string;
  type: string;
  receivedAt: string;
}

export interface ResyncRequest {
  reason?: string;
}

export const universignEventSignal = defineSignal<[UniversignEventSignal]>('universignEvent');
export const forceResyncSignal = defineSignal<[ResyncRequest?]>('forceResync');
// The argument is required by the client's typing; the handler also accepts none (a bare call from the Web UI).
export const resyncUpdate = defineUpdate<TransactionState, [ResyncRequest]>('resync');
export const stateQuery = defineQuery<TransactionState>('state');
