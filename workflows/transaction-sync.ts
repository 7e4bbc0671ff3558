/**
 * One signature transaction as its workflow holds it, and the sync that keeps it current: read
 * Universign, decide the status (status machine), record the sync, schedule the next poll, start
 * the business actions a status change calls for. The workflow's handlers and main loop call it.
 * Deterministic: every read and write goes through activities.
 */
import { ApplicationFailure, condition, log, patched, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/create-sync-activities';
import type { SyncSource } from '../activities/sync-contracts';
import type { TransactionSnapshot } from '../activities/transaction-snapshot';
import { businessActionOptions } from './business-action-options';
import { BusinessActionScheduler } from './business-action-scheduler';
import { describeFailure } from './describe-failure';
import { UNIVERSIGN_ERROR_TYPES } from './error-types';
import { initialState } from './initial-state';
import type { CarriedState, SignatureTransactionInput, TransactionState, UniversignEventSignal } from './messages';
import { applyObservation, observeSnapshot } from './observe-snapshot';
import { FLEET_SCALE_PATCH } from './patches';
import { resolvePollSettings } from './poll-cadence';
import { PollSchedule } from './poll-schedule';
import { projectionKey } from './projection-key';
import { sageDocumentFromMetadata } from './sage-document-metadata';
import { rememberEventId } from './seen-events';
import type { StatePublisher } from './state-publisher';
import { legacyFetches, legacyRecords, localRecords, universignFetches } from './sync-activity-proxies';
import { SyncRequests } from './sync-requests';
import { universignTaskQueue } from './task-queues';

/** How many consecutive "not found" answers end the workflow (Universign may lag right after creation). */
export const MAX_NOT_FOUND_STREAK = 3;

export class TransactionSync {
  readonly state: TransactionState;
  readonly actions: BusinessActionScheduler;
  readonly requests = new SyncRequests();
  private readonly workflowId: string;
  private readonly chainId: string;
  private readonly poll: PollSchedule;
  private readonly universign: SyncActivities;
  private readonly publisher: StatePublisher;
  private syncSequence: number;
  private notFoundStreak: number;
  private seenEventIds: string[];
  private lastRecordedKey: string | null;

  constructor(input: SignatureTransactionInput, publisher: StatePublisher) {
    const info = workflowInfo();
    this.workflowId = info.workflowId;
    const pollSettings = resolvePollSettings(input.poll);
    const carried: CarriedState = input.carried ?? {
      state: initialState(input, info.workflowId, pollSettings.minSeconds),
      chainId: info.runId,
      syncSequence: 0,
      notFoundStreak: 0,
      nextPollAtMs: Date.now(),
      seenEventIds: [],
    };
    this.state = carried.state;
    this.chainId = carried.chainId;
    this.syncSequence = carried.syncSequence;
    this.notFoundStreak = carried.notFoundStreak;
    this.seenEventIds = carried.seenEventIds;
    this.lastRecordedKey = carried.lastRecordedKey ?? null;
    this.poll = new PollSchedule(this.state, pollSettings, carried);
    const universignQueue = universignTaskQueue(info.taskQueue);
    this.universign = universignFetches(universignQueue);
    this.publisher = publisher;
    this.actions = new BusinessActionScheduler(this.state, businessActionOptions(input.actionRetry), universignQueue, () => this.publish());
  }

  /** A Universign webhook event: asks for a sync, unless its id was seen already. */
  receiveEvent(event: UniversignEventSignal): void {
    const remembered = rememberEventId(this.seenEventIds, event.eventId);
    if (!remembered.isNew) return;
    this.seenEventIds = remembered.ids;
    this.state.webhookReceived = true;
    this.poll.webhookReceived(Date.now());
    this.requests.add('webhook');
  }

  /** Asks for a sync and resolves with the state once a sync that started after the request ended. */
  async resync(): Promise<TransactionState> {
    if (this.state.final) return this.state;
    const ticket = this.requests.addUpdate();
    // The sync that reaches a final status serves every request: no other sync will follow.
    await condition(() => this.requests.isServed(ticket) || this.state.final);
    return this.state;
  }

  /** Time until the next poll is due (0 when overdue). */
  msUntilNextPoll(): number {
    return this.poll.msUntilDue();
  }

  /** Everything the next run needs after continue-as-new. */
  carry(): CarriedState {
    return {
      state: this.state,
      chainId: this.chainId,
      syncSequence: this.syncSequence,
      notFoundStreak: this.notFoundStreak,
      seenEventIds: this.seenEventIds,
      ...this.poll.carry(),
      lastRecordedKey: this.lastRecordedKey,
    };
  }

  publish(): void {
    this.publisher.publish(this.state);
  }

  /** Reads the transaction from Universign, records what was seen and acts on a status change. */
  async sync(source: SyncSource): Promise<void> {
    const { state } = this;
    const serving = this.requests.lastTicket;
    const modern = patched(FLEET_SCALE_PATCH);
    const readAtMs = Date.now();
    this.syncSequence += 1;
    const syncKey = `${this.workflowId}/${this.chainId}/${this.syncSequence}`;
    let snapshot: TransactionSnapshot;
    try {
      snapshot = modern
        ? await this.universign.fetchUniversignTransaction(state.transactionId, source === 'poll' ? { dueAtMs: this.poll.dueAtMs } : {})
        : await legacyFetches.fetchUniversignTransaction(state.transactionId);
    } catch (err) {
      await this.handleFetchFailure(err, source, syncKey, modern, readAtMs);
      this.requests.serve(serving);
      return;
    }
    this.notFoundStreak = 0;
    // A workflow started without its Sage document (adoption, Web UI) learns it from Universign.
    state.sageDocument ??= sageDocumentFromMetadata(snapshot.metadata);
    const previous = state.status;
    const observation = observeSnapshot(state, snapshot);
    const { decision, somethingMoved } = observation;
    if (decision.kind === 'conflict') {
      log.warn('Status transition refused', {
        transactionId: state.transactionId,
        status: previous,
        observed: decision.observed,
        universignState: snapshot.state,
        reason: decision.reason,
      });
    }

    const full = {
      syncKey,
      workflowId: this.workflowId,
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
      const quiet = decision.kind === 'unchanged' && key === this.lastRecordedKey;
      const written = quiet
        ? await localRecords.recordQuietSync({
            syncKey,
            transactionId: state.transactionId,
            source,
            syncedAt: snapshot.fetchedAt,
            webhookReceived: state.webhookReceived,
          })
        : null;
      if (!written || written.missing) await localRecords.recordSyncResult(full);
      this.lastRecordedKey = key;
      if (source === 'poll' && somethingMoved) this.poll.changeMissed(readAtMs);
    } else {
      await legacyRecords.recordSyncResult(full);
    }

    applyObservation(state, snapshot, observation);
    this.poll.afterSync(modern, somethingMoved, readAtMs);
    if (decision.kind === 'changed') this.actions.start(decision.status, snapshot, modern);
    this.publish();
    this.requests.serve(serving);
  }

  private async handleFetchFailure(err: unknown, source: SyncSource, syncKey: string, modern: boolean, readAtMs: number): Promise<void> {
    const { state } = this;
    const failure = describeFailure(err);
    const notFound = failure.type === UNIVERSIGN_ERROR_TYPES.notFound;
    this.notFoundStreak = notFound ? this.notFoundStreak + 1 : 0;
    const terminal = notFound && this.notFoundStreak >= MAX_NOT_FOUND_STREAK;
    if (notFound) {
      log.warn('Universign does not know the transaction', {
        transactionId: state.transactionId,
        notFoundStreak: this.notFoundStreak,
        maxNotFoundStreak: MAX_NOT_FOUND_STREAK,
        terminal,
      });
    }
    const at = new Date(Date.now()).toISOString();
    state.lastSyncError = { ...failure, at };
    await (modern ? localRecords : legacyRecords).recordSyncFailure({
      syncKey,
      workflowId: this.workflowId,
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
        `Universign transaction ${state.transactionId} not found after ${this.notFoundStreak} attempts; workflow ended`,
        UNIVERSIGN_ERROR_TYPES.notFound,
      );
    }
    this.poll.afterFailure(modern, notFound, readAtMs);
    this.publish();
  }
}
