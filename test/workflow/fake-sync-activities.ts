/**
 * In-memory stand-ins for the sync activities, for workflow tests on the time-skipping server:
 * a scripted Universign transaction and a log of what would have been recorded.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BusinessActionActivities } from '../../activities/create-business-action-activities';
import type { SyncActivities } from '../../activities/create-sync-activities';
import type {
  BusinessActionInput,
  BusinessActionOutcome,
  RecordActionFailureInput,
  RecordQuietSyncInput,
  RecordSyncFailureInput,
  RecordSyncInput,
} from '../../activities/sync-contracts';
import type { SignerSnapshot, TransactionSnapshot } from '../../activities/transaction-snapshot';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';

export interface FakeTransaction {
  state: string;
  stalled: boolean;
  stalledReason: string | null;
  signers: SignerSnapshot[];
}

type ActionName = Exclude<keyof BusinessActionActivities, 'recordActionFailure'>;

export interface FakeSyncActivities {
  activities: SyncActivities & BusinessActionActivities;
  /** Every business-action attempt, in order. */
  actionCalls: Array<{ name: ActionName; input: BusinessActionInput }>;
  actionFailures: RecordActionFailureInput[];
  /** While set, fetches wait for it (to hold a sync in flight). */
  fetchGate: Promise<void> | null;
  /** While set, action attempts wait for it. */
  actionGate: Promise<void> | null;
  /** Errors thrown by the next attempts of an action, in order. */
  failNextActions: Partial<Record<ActionName, Error[]>>;
  /** Errors thrown by the next attempts to record an action's failure, in order. */
  failNextActionFailureRecords: Error[];
  transaction: FakeTransaction;
  /** Skipped-clock time (ms) of every fetch, including failed attempts. */
  fetchTimes: number[];
  /** Syncs recorded in full (they changed something). */
  recorded: RecordSyncInput[];
  /** Syncs that found nothing new (one small write). */
  quiet: RecordQuietSyncInput[];
  /** Every successful sync in order, full or quiet. */
  syncs: Array<{ syncKey: string; source: string; quiet: boolean; webhookReceived: boolean }>;
  failures: RecordSyncFailureInput[];
  /** Errors thrown by the next fetches, in order (then fetches succeed again). */
  failNextFetches: ApplicationFailure[];
  /** Where each activity call ran: its task queue, and whether it was a local activity. */
  placements: Array<{ name: string; taskQueue: string; local: boolean }>;
}

export function signer(email: string, state = 'open'): SignerSnapshot {
  return { email, name: null, state, url: `https://sign.example/act_${email}`, signedAt: null, refusedAt: null };
}

export function createFakeSyncActivities(env: TestWorkflowEnvironment, transactionId: string): FakeSyncActivities {
  const fake: FakeSyncActivities = {
    transaction: { state: 'started', stalled: false, stalledReason: null, signers: [signer('client@example.com')] },
    fetchTimes: [],
    recorded: [],
    quiet: [],
    syncs: [],
    failures: [],
    failNextFetches: [],
    actionCalls: [],
    actionFailures: [],
    failNextActions: {},
    failNextActionFailureRecords: [],
    fetchGate: null,
    actionGate: null,
    placements: [],
    activities: {
      updateSageFields: (input) => fakeAction('updateSageFields', input),
      convertQuoteToOrder: (input) => fakeAction('convertQuoteToOrder', input),
      notifyByEmail: (input) => fakeAction('notifyByEmail', input),
      archiveSignedDocuments: (input) => fakeAction('archiveSignedDocuments', input),
      cancelUniversignTransaction: (input) => fakeAction('cancelUniversignTransaction', input),
      async recordActionFailure(input: RecordActionFailureInput) {
        place('recordActionFailure');
        const failure = fake.failNextActionFailureRecords.shift();
        if (failure) throw failure;
        fake.actionFailures.push(input);
      },
      async fetchUniversignTransaction(id: string): Promise<TransactionSnapshot> {
        place('fetchUniversignTransaction');
        const now = await env.currentTimeMs();
        fake.fetchTimes.push(now);
        if (fake.fetchGate) await fake.fetchGate;
        const failure = fake.failNextFetches.shift();
        if (failure) throw failure;
        if (id !== transactionId) throw new Error(`unexpected transaction ${id}`);
        const tx = fake.transaction;
        return {
          transactionId: id,
          name: 'Devis D0001',
          state: tx.state,
          stalled: tx.stalled,
          stalledReason: tx.stalledReason,
          createdAt: null,
          startedAt: null,
          expiresAt: null,
          completedAt: null,
          cancelledAt: null,
          metadata: {},
          documents: [{ id: 'doc_1', name: 'devis.pdf' }],
          signers: tx.signers.map((s) => ({ ...s })),
          fetchedAt: new Date(now).toISOString(),
        };
      },
      async recordSyncResult(input: RecordSyncInput) {
        place('recordSyncResult');
        fake.recorded.push(input);
        fake.syncs.push({ syncKey: input.syncKey, source: input.source, quiet: false, webhookReceived: input.webhookReceived });
        return { recorded: true };
      },
      async recordQuietSync(input: RecordQuietSyncInput) {
        place('recordQuietSync');
        fake.quiet.push(input);
        fake.syncs.push({ syncKey: input.syncKey, source: input.source, quiet: true, webhookReceived: input.webhookReceived });
        return { recorded: true, missing: false };
      },
      async recordSyncFailure(input: RecordSyncFailureInput) {
        place('recordSyncFailure');
        fake.failures.push(input);
        return { recorded: true };
      },
    },
  };
  async function fakeAction(name: ActionName, input: BusinessActionInput): Promise<BusinessActionOutcome> {
    place(name);
    fake.actionCalls.push({ name, input });
    if (fake.actionGate) await fake.actionGate;
    const failure = fake.failNextActions[name]?.shift();
    if (failure) throw failure;
    return { state: 'done', summary: `${name} done`, replayed: false };
  }
  function place(name: string): void {
    const { taskQueue, isLocal } = Context.current().info;
    fake.placements.push({ name, taskQueue, local: isLocal });
  }
  return fake;
}

/** A promise and the function that settles it, to hold an activity until the test says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = () => resolve();
  });
  return { promise, open };
}

export function notFound(): ApplicationFailure {
  return ApplicationFailure.create({
    message: 'GET /transactions/tx: 404',
    type: UNIVERSIGN_ERROR_TYPES.notFound,
    nonRetryable: true,
  });
}

export function unavailable(): ApplicationFailure {
  return ApplicationFailure.create({ message: 'GET /transactions/tx: 503', type: UNIVERSIGN_ERROR_TYPES.retryable });
}

/** Gaps between consecutive fetches, in whole seconds. */
export function gapsInSeconds(times: number[]): number[] {
  return times.slice(1).map((t, i) => Math.round((t - (times[i] as number)) / 1000));
}
