/**
 * Runs the business actions each status change calls for, beside the sync loop: a slow or failing
 * action never holds a status back. Sage free-field updates run one after another in status order,
 * so a late retry never overwrites a newer status; one that fails never blocks or fails the next.
 */
import type { ActivityOptions } from '@temporalio/common';
import { log, proxyActivities } from '@temporalio/workflow';
import type { BusinessActionActivities } from '../activities/create-business-action-activities';
import type { BusinessActionInput } from '../activities/sync-contracts';
import type { TransactionSnapshot } from '../activities/transaction-snapshot';
import { describeFailure } from './describe-failure';
import type { TransactionState } from './messages';
import { actionsForStatus, type BusinessAction, type LocalStatus } from './status-machine';
import { RECORD_OPTIONS } from './sync-activity-proxies';
import { callsUniversign } from './task-queues';

/** The activity carrying out each business action. */
const ACTION_ACTIVITY: Record<BusinessAction, keyof Omit<BusinessActionActivities, 'recordActionFailure'>> = {
  UPDATE_SAGE_FIELDS: 'updateSageFields',
  CONVERT_QUOTE_TO_ORDER: 'convertQuoteToOrder',
  NOTIFY_BY_EMAIL: 'notifyByEmail',
  ARCHIVE_SIGNED_DOCUMENTS: 'archiveSignedDocuments',
  CANCEL_UNIVERSIGN_TRANSACTION: 'cancelUniversignTransaction',
};

// Failure records go through the same never-give-up policy as the other database writes.
const { recordActionFailure } = proxyActivities<BusinessActionActivities>(RECORD_OPTIONS);

export class BusinessActionScheduler {
  private readonly state: TransactionState;
  private readonly onMainQueue: BusinessActionActivities;
  private readonly onUniversignQueue: BusinessActionActivities;
  private readonly onChange: () => void;
  private readonly runs = new Set<Promise<void>>();
  // When no Sage update is in flight the next one starts at once (the command order of a plain run).
  private sageFieldsInFlight: Promise<void> | null = null;

  /** `onChange` runs whenever an action's state in `state.actions` changed. */
  constructor(state: TransactionState, options: ActivityOptions, universignQueue: string, onChange: () => void) {
    this.state = state;
    this.onMainQueue = proxyActivities<BusinessActionActivities>(options);
    this.onUniversignQueue = proxyActivities<BusinessActionActivities>({ ...options, taskQueue: universignQueue });
    this.onChange = onChange;
  }

  /** How many actions are still running (or waiting for an earlier Sage update). */
  get running(): number {
    return this.runs.size;
  }

  /** Starts the actions `status` calls for; `modern` runs send Universign calls to Universign's queue. */
  start(status: LocalStatus, snapshot: TransactionSnapshot, modern: boolean): void {
    const input: BusinessActionInput = {
      transactionId: this.state.transactionId,
      workflowId: this.state.workflowId,
      status,
      sageDocument: this.state.sageDocument,
      transactionName: snapshot.name,
      signers: snapshot.signers.map(({ email, name, state: signerState }) => ({ email, name, state: signerState })),
      documents: snapshot.documents,
      at: snapshot.fetchedAt,
    };
    for (const kind of actionsForStatus(status)) {
      this.state.actions.push({ kind, status, state: 'running', summary: null });
      const index = this.state.actions.length - 1;
      // Actions that call Universign (downloads, cancel) go through its rate-limited queue.
      const start = () => this.run(kind, input, index, modern && callsUniversign(ACTION_ACTIVITY[kind]));
      const previous = kind === 'UPDATE_SAGE_FIELDS' ? this.sageFieldsInFlight : null;
      // The next Sage update starts once the previous one settled, whether it succeeded or not.
      const afterPrevious = (err: unknown) => {
        log.error('Sage free-field update ended abnormally; the next one starts anyway', {
          transactionId: this.state.transactionId,
          status,
          error: describeFailure(err),
        });
        return start();
      };
      const run: Promise<void> = (previous ? previous.then(start, afterPrevious) : start()).finally(() => {
        this.runs.delete(run);
        if (this.sageFieldsInFlight === run) this.sageFieldsInFlight = null;
      });
      if (kind === 'UPDATE_SAGE_FIELDS') this.sageFieldsInFlight = run;
      this.runs.add(run);
    }
  }

  /** Resolves once every action started so far (and any started meanwhile) has settled. */
  async finished(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs]);
  }

  /** Runs one action; its outcome, success or failure, ends up in `state.actions`. Never rejects. */
  private async run(kind: BusinessAction, input: BusinessActionInput, index: number, onUniversignQueue: boolean): Promise<void> {
    try {
      const activities = onUniversignQueue ? this.onUniversignQueue : this.onMainQueue;
      const outcome = await activities[ACTION_ACTIVITY[kind]](input);
      this.state.actions[index] = { kind, status: input.status, state: outcome.state, summary: outcome.summary };
    } catch (err) {
      const failure = describeFailure(err);
      log.warn('Business action failed', { transactionId: input.transactionId, kind, status: input.status, error: failure });
      try {
        await recordActionFailure({ transactionId: input.transactionId, kind, status: input.status, error: failure });
      } catch (recordErr) {
        log.error('Business action failure could not be recorded', {
          transactionId: input.transactionId,
          kind,
          status: input.status,
          error: describeFailure(recordErr),
        });
      }
      this.state.actions[index] = { kind, status: input.status, state: 'failed', summary: `${failure.type}: ${failure.message}` };
    }
    this.onChange();
  }
}
