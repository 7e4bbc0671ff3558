/**
 * One long-lived workflow per Universign transaction: reads it from Universign at start, then on
 * a durable timer that webhook signals and operator requests cut short; records every sync through
 * activities; completes when the local status is final. Deterministic: no I/O here.
 */

import type { ActivityOptions, LocalActivityOptions, SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BusinessActionActivities } from '../activities/create-business-action-activities';
import type { SyncActivities } from '../activities/create-sync-activities';
import type { BusinessActionInput, SyncSource } from '../activities/sync-contracts';
import type { TransactionSnapshot } from '../activities/transaction-snapshot';
import { PERMANENT_ACTION_ERROR_TYPES, UNIVERSIGN_ERROR_TYPES } from './error-types';
import {
  type CarriedState,
  forceResyncSignal,
  resyncUpdate,
  type SignatureTransactionInput,
  type SignerState,
  stateQuery,
  type TransactionState,
  universignEventSignal,
} from './messages';
import { nextPollInterval, resolvePollSettings, webhooksArriving } from './poll-cadence';
import { projectionKey } from './projection-key';
import { renderCurrentDetails } from './render-current-details';
import { sageDocumentFromMetadata } from './sage-document-metadata';
import { SAGE_DOCUMENT_KEY, SIGNATURE_STATUS_KEY, sageDocumentKeyword, UNIVERSIGN_STATE_KEY } from './search-attributes';
import { rememberEventId } from './seen-events';
import {
  actionsForStatus,
  type BusinessAction,
  isFinalStatus,
  type LocalStatus,
  resolveTransition,
  statusFromUniversign,
} from './status-machine';
import { callsUniversign, universignTaskQueue } from './task-queues';

/** How many consecutive "not found" answers end the workflow (Universign may lag right after creation). */
export const MAX_NOT_FOUND_STREAK = 3;

/**
 * Marks runs made by this code: Universign calls on their own rate-limited task queue, sync
 * records as local activities (one statement each; a quiet one is one small UPDATE), and the
 * cadence that follows whether webhooks arrive. Histories without the marker replay the earlier
 * commands (each on the workflow's queue, records as regular activities).
 */
export const FLEET_SCALE_PATCH = 'fleet-scale-2026-11';

/** Continue-as-new by this many events at the latest: a workflow evicted from the worker's cache replays its history on its next poll. */
export const DEFAULT_MAX_HISTORY_EVENTS = 1_000;

const FETCH_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [UNIVERSIGN_ERROR_TYPES.notFound, UNIVERSIGN_ERROR_TYPES.auth, UNIVERSIGN_ERROR_TYPES.badResponse],
  },
};

// Database writes retry until they succeed: a sync is never dropped because PostgreSQL was briefly away.
const RECORD_OPTIONS: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Runs recorded before FLEET_SCALE_PATCH: every activity on the workflow's own queue. */
const legacy = proxyActivities<SyncActivities>({ ...FETCH_OPTIONS });
const legacyRecords = proxyActivities<SyncActivities>(RECORD_OPTIONS);
/** Sync records run in the worker that ran the workflow task: no task-queue round trip. */
const records = proxyLocalActivities<SyncActivities>(RECORD_OPTIONS);

// Failure records go through the same never-give-up policy as the other database writes.
const { recordActionFailure } = proxyActivities<BusinessActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The activity carrying out each business action. */
const ACTION_ACTIVITY: Record<BusinessAction, keyof Omit<BusinessActionActivities, 'recordActionFailure'>> = {
  UPDATE_SAGE_FIELDS: 'updateSageFields',
  CONVERT_QUOTE_TO_ORDER: 'convertQuoteToOrder',
  NOTIFY_BY_EMAIL: 'notifyByEmail',
  ARCHIVE_SIGNED_DOCUMENTS: 'archiveSignedDocuments',
  CANCEL_UNIVERSIGN_TRANSACTION: 'cancelUniversignTransaction',
};

type WakeReason = Exclude<SyncSource, 'start' | 'poll'>;

export async function signatureTransaction(input: SignatureTransactionInput): Promise<TransactionState> {
  const info = workflowInfo();
  const poll = resolvePollSettings(input.poll);
  const carried: CarriedState = input.carried ?? {
    state: initialState(input, info.workflowId, poll.minSeconds),
    chainId: info.runId,
    syncSequence: 0,
    notFoundStreak: 0,
    nextPollAtMs: Date.now(),
    seenEventIds: [],
  };
  const state = carried.state;
  let { syncSequence, notFoundStreak, nextPollAtMs, seenEventIds } = carried;
  // Carried from runs made before these fields existed: webhooks that came are taken as arriving.
  let lastWebhookAtMs = carried.lastWebhookAtMs ?? (state.webhookReceived ? nextPollAtMs : null);
  let lastMissedAtMs = carried.lastMissedAtMs ?? null;
  let lastRecordedKey = carried.lastRecordedKey ?? null;
  state.webhooksArriving = webhooksArriving(lastWebhookAtMs, lastMissedAtMs);
  const universignQueue = universignTaskQueue(info.taskQueue);
  const universign = proxyActivities<SyncActivities>({ ...FETCH_OPTIONS, taskQueue: universignQueue });
  const wakeReasons: WakeReason[] = [];
  // Business actions run beside the sync loop: a slow or failing one never holds a status back.
  const runningActions = new Set<Promise<void>>();
  // Retryable failures (gateway or SMTP down) are retried for days, not minutes: the order or the
  // e-mail must still happen after an outage. Permanent ones fail at once.
  const actionOptions: ActivityOptions = {
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: `${input.actionRetry?.giveUpAfterHours ?? 72} hours`,
    retry: {
      initialInterval: `${input.actionRetry?.initialSeconds ?? 5} seconds`,
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      ...(input.actionRetry?.maximumAttempts ? { maximumAttempts: input.actionRetry.maximumAttempts } : {}),
      nonRetryableErrorTypes: [...PERMANENT_ACTION_ERROR_TYPES],
    },
  };
  const actionActivities = proxyActivities<BusinessActionActivities>(actionOptions);
  const universignActionActivities = proxyActivities<BusinessActionActivities>({ ...actionOptions, taskQueue: universignQueue });
  // Sage free-field updates are applied in status order, so a late retry never overwrites a newer
  // status. When none is in flight the next one starts at once (the command order of a plain run).
  let sageFieldsInFlight: Promise<void> | null = null;
  // Update requests are numbered; a request is served by the first sync that starts after it.
  let requestedTicket = 0;
  let servedTicket = 0;

  setHandler(stateQuery, () => state, {
    description: 'Current status of the signature transaction as last synced from Universign.',
  });
  setHandler(
    universignEventSignal,
    (event) => {
      const remembered = rememberEventId(seenEventIds, event.eventId);
      if (!remembered.isNew) return;
      seenEventIds = remembered.ids;
      state.webhookReceived = true;
      lastWebhookAtMs = Date.now();
      state.webhooksArriving = webhooksArriving(lastWebhookAtMs, lastMissedAtMs);
      wakeReasons.push('webhook');
    },
    { description: 'A Universign webhook event (forwarded by the API): triggers a sync at once. Deduplicated by eventId.' },
  );
  setHandler(forceResyncSignal, () => void wakeReasons.push('forced'), {
    description: 'Operator request: re-read the transaction from Universign now. Payload {reason?}.',
  });
  setHandler(
    resyncUpdate,
    async () => {
      if (state.final) return state;
      const ticket = ++requestedTicket;
      wakeReasons.push('update');
      // The sync that reaches a final status serves every request: no other sync will follow.
      await condition(() => servedTicket >= ticket || state.final);
      return state;
    },
    { description: 'Re-read the transaction from Universign now and return the resulting state. Payload {reason?}.' },
  );

  async function sync(source: SyncSource): Promise<void> {
    const serving = requestedTicket;
    const modern = patched(FLEET_SCALE_PATCH);
    const readAtMs = Date.now();
    syncSequence += 1;
    const syncKey = `${info.workflowId}/${carried.chainId}/${syncSequence}`;
    let snapshot: TransactionSnapshot;
    try {
      snapshot = modern
        ? await universign.fetchUniversignTransaction(state.transactionId, source === 'poll' ? { dueAtMs: nextPollAtMs } : {})
        : await legacy.fetchUniversignTransaction(state.transactionId);
    } catch (err) {
      await handleFetchFailure(err, source, syncKey, modern, readAtMs);
      servedTicket = serving;
      return;
    }
    notFoundStreak = 0;
    // A workflow started without its Sage document (adoption, Web UI) learns it from Universign.
    state.sageDocument ??= sageDocumentFromMetadata(snapshot.metadata);
    const previous = state.status;
    const observed = statusFromUniversign(snapshot.state, snapshot.stalled, snapshot.stalledReason);
    const decision = resolveTransition(previous, observed);
    const signers = snapshot.signers.map(({ email, name, state: signerState, url }) => ({
      email,
      name,
      state: signerState,
      url,
    }));
    const somethingMoved =
      decision.kind === 'changed' ||
      snapshot.state !== state.universignState ||
      snapshot.stalled !== state.stalled ||
      !sameSigners(signers, state.signers);

    const full = {
      syncKey,
      workflowId: info.workflowId,
      transactionId: state.transactionId,
      sageDocument: state.sageDocument,
      source,
      snapshot,
      previousStatus: previous,
      status: decision.status,
      statusChanged: decision.kind === 'changed',
      conflict: decision.kind === 'conflict' ? decision.reason : null,
      webhookReceived: state.webhookReceived,
    };
    if (modern) {
      const key = projectionKey(snapshot, decision.status, state.sageDocument);
      const quiet = decision.kind === 'unchanged' && key === lastRecordedKey;
      const written = quiet
        ? await records.recordQuietSync({
            syncKey,
            transactionId: state.transactionId,
            source,
            syncedAt: snapshot.fetchedAt,
            webhookReceived: state.webhookReceived,
          })
        : null;
      if (!written || written.missing) await records.recordSyncResult(full);
      lastRecordedKey = key;
      // A change that a poll found before any webhook told of it: webhooks are not arriving (yet).
      if (source === 'poll' && somethingMoved) lastMissedAtMs = readAtMs;
      state.webhooksArriving = webhooksArriving(lastWebhookAtMs, lastMissedAtMs);
    } else {
      await legacyRecords.recordSyncResult(full);
    }

    state.status = decision.status;
    state.universignState = snapshot.state;
    state.stalled = snapshot.stalled;
    state.stalledReason = snapshot.stalledReason;
    state.signers = signers;
    state.syncCount += 1;
    if (decision.kind === 'changed') state.statusChanges += 1;
    state.lastSyncedAt = snapshot.fetchedAt;
    state.lastSyncError = null;
    state.final = isFinalStatus(decision.status);
    schedule(nextPollInterval(state.pollIntervalSeconds, somethingMoved, poll, arrivingFor(modern)), fromFor(modern, readAtMs));
    if (decision.kind === 'changed') startActions(decision.status, snapshot, modern);
    publish();
    servedTicket = serving;
  }

  function startActions(status: LocalStatus, snapshot: TransactionSnapshot, modern: boolean): void {
    const actionInput: BusinessActionInput = {
      transactionId: state.transactionId,
      workflowId: info.workflowId,
      status,
      sageDocument: state.sageDocument,
      transactionName: snapshot.name,
      signers: snapshot.signers.map(({ email, name, state: signerState }) => ({ email, name, state: signerState })),
      documents: snapshot.documents,
      at: snapshot.fetchedAt,
    };
    for (const kind of actionsForStatus(status)) {
      const entry = { kind, status, state: 'running' as const, summary: null };
      state.actions.push(entry);
      const index = state.actions.length - 1;
      // Actions that call Universign (downloads, cancel) go through its rate-limited queue.
      const start = () => runAction(kind, actionInput, index, modern && callsUniversign(ACTION_ACTIVITY[kind]));
      const previous = kind === 'UPDATE_SAGE_FIELDS' ? sageFieldsInFlight : null;
      const run: Promise<void> = (previous ? previous.then(start) : start()).finally(() => {
        runningActions.delete(run);
        if (sageFieldsInFlight === run) sageFieldsInFlight = null;
      });
      if (kind === 'UPDATE_SAGE_FIELDS') sageFieldsInFlight = run;
      runningActions.add(run);
    }
  }

  async function runAction(
    kind: BusinessAction,
    actionInput: BusinessActionInput,
    index: number,
    onUniversignQueue: boolean,
  ): Promise<void> {
    try {
      const activities = onUniversignQueue ? universignActionActivities : actionActivities;
      const outcome = await activities[ACTION_ACTIVITY[kind]](actionInput);
      state.actions[index] = { kind, status: actionInput.status, state: outcome.state, summary: outcome.summary };
    } catch (err) {
      const failure = describeFailure(err);
      await recordActionFailure({ transactionId: state.transactionId, kind, status: actionInput.status, error: failure });
      state.actions[index] = { kind, status: actionInput.status, state: 'failed', summary: `${failure.type}: ${failure.message}` };
    }
    publish();
  }

  async function actionsFinished(): Promise<void> {
    while (runningActions.size > 0) await Promise.all([...runningActions]);
  }

  async function handleFetchFailure(err: unknown, source: SyncSource, syncKey: string, modern: boolean, readAtMs: number): Promise<void> {
    const failure = describeFailure(err);
    const notFound = failure.type === UNIVERSIGN_ERROR_TYPES.notFound;
    notFoundStreak = notFound ? notFoundStreak + 1 : 0;
    const terminal = notFound && notFoundStreak >= MAX_NOT_FOUND_STREAK;
    const at = new Date(Date.now()).toISOString();
    state.lastSyncError = { ...failure, at };
    await (modern ? records : legacyRecords).recordSyncFailure({
      syncKey,
      workflowId: info.workflowId,
      transactionId: state.transactionId,
      sageDocument: state.sageDocument,
      source,
      status: state.status,
      error: failure,
      at,
      terminal,
    });
    if (terminal) {
      throw ApplicationFailure.nonRetryable(
        `Universign transaction ${state.transactionId} not found after ${notFoundStreak} attempts; workflow ended`,
        UNIVERSIGN_ERROR_TYPES.notFound,
      );
    }
    // A missing transaction is re-checked soon; any other failure backs the cadence off.
    schedule(
      notFound ? poll.minSeconds : nextPollInterval(state.pollIntervalSeconds, false, poll, arrivingFor(modern)),
      fromFor(modern, readAtMs),
    );
    publish();
  }

  /** Keeps the Web UI current: search attributes (only when a value changed) and the details text. */
  const published = new Map<string, string>();
  function publish(): void {
    const wanted: Array<[typeof SIGNATURE_STATUS_KEY, string | null]> = [
      [SIGNATURE_STATUS_KEY, state.status],
      [UNIVERSIGN_STATE_KEY, state.universignState],
      [SAGE_DOCUMENT_KEY, state.sageDocument ? sageDocumentKeyword(state.sageDocument) : null],
    ];
    const updates: SearchAttributeUpdatePair[] = [];
    for (const [key, value] of wanted) {
      if (value === null || published.get(key.name) === value) continue;
      published.set(key.name, value);
      updates.push({ key, value });
    }
    if (updates.length > 0 && input.publishSearchAttributes !== false) upsertSearchAttributes(updates);
    setCurrentDetails(renderCurrentDetails(state));
  }

  // Runs made before FLEET_SCALE_PATCH: the back-off cadence whatever the webhooks, counted from
  // when the sync ended. Current ones: the cadence follows the webhooks, counted from the read,
  // so polls without webhooks are exactly their interval apart.
  function arrivingFor(modern: boolean): boolean {
    return modern ? state.webhooksArriving : true;
  }
  function fromFor(modern: boolean, readAtMs: number): number {
    return modern ? readAtMs : Date.now();
  }

  /** The next poll, `intervalSeconds` after `fromMs` (default: now). */
  function schedule(intervalSeconds: number, fromMs = Date.now()): void {
    state.pollIntervalSeconds = intervalSeconds;
    nextPollAtMs = fromMs + intervalSeconds * 1000;
    state.nextPollAt = new Date(nextPollAtMs).toISOString();
  }

  function shouldContinueAsNew(): boolean {
    const current = workflowInfo();
    // Runs made before FLEET_SCALE_PATCH knew no default bound.
    const bound = input.maxHistoryEvents ?? (patched(FLEET_SCALE_PATCH) ? DEFAULT_MAX_HISTORY_EVENTS : undefined);
    return current.continueAsNewSuggested || (bound !== undefined && current.historyLength >= bound);
  }

  publish();
  if (!input.carried) await sync('start');

  while (!state.final) {
    // Continue-as-new only between actions; a pending update or signal is served first.
    if (wakeReasons.length === 0 && runningActions.size === 0 && shouldContinueAsNew()) {
      await condition(() => wakeReasons.length > 0 || allHandlersFinished());
      if (wakeReasons.length === 0 && runningActions.size === 0) {
        const next: CarriedState = {
          state,
          chainId: carried.chainId,
          syncSequence,
          notFoundStreak,
          nextPollAtMs,
          seenEventIds,
          lastWebhookAtMs,
          lastMissedAtMs,
          lastRecordedKey,
        };
        await continueAsNew<typeof signatureTransaction>({ ...input, carried: next });
      }
    }
    const woken = await condition(() => wakeReasons.length > 0, Math.max(0, nextPollAtMs - Date.now()));
    // Every signal received so far is answered by this one sync: it re-reads the whole transaction.
    const source: SyncSource = woken ? (wakeReasons[0] ?? 'poll') : 'poll';
    wakeReasons.length = 0;
    await sync(source);
  }

  await actionsFinished();
  servedTicket = requestedTicket;
  await condition(allHandlersFinished);
  return state;
}

function initialState(input: SignatureTransactionInput, workflowId: string, pollSeconds: number): TransactionState {
  return {
    transactionId: input.transactionId,
    workflowId,
    sageDocument: input.sageDocument ?? null,
    status: null,
    universignState: null,
    stalled: false,
    stalledReason: null,
    signers: [],
    syncCount: 0,
    statusChanges: 0,
    lastSyncedAt: null,
    lastSyncError: null,
    webhookReceived: false,
    webhooksArriving: false,
    actions: [],
    pollIntervalSeconds: pollSeconds,
    nextPollAt: null,
    final: false,
  };
}

function sameSigners(a: SignerState[], b: SignerState[]): boolean {
  return (
    a.length === b.length &&
    a.every((signer, i) => signer.email === b[i]?.email && signer.state === b[i]?.state && signer.url === b[i]?.url)
  );
}

function describeFailure(err: unknown): { type: string; message: string } {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return { type: err.cause.type ?? 'Error', message: err.cause.message };
  }
  if (err instanceof ActivityFailure && err.cause) {
    return { type: err.cause.name, message: err.cause.message };
  }
  if (err instanceof Error) return { type: err.name, message: err.message };
  return { type: 'Error', message: String(err) };
}
