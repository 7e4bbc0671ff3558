/**
 * Creates the Temporal Schedule `universign-reconcile` that runs `reconcileTransactions` on the
 * worker's task queue, or brings the existing one to the current settings: run by every worker at
 * start, so several workers starting at once still end with one schedule (the server refuses a
 * second create; the loser updates). Overlap SKIP: a run still going when the next is due makes
 * that one skipped, never doubled.
 * RECONCILE_INTERVAL_SECONDS=0 pauses the schedule (it stays in the Web UI, where an operator can
 * still trigger a run); a worker started later with an interval resumes it. A pause an operator
 * set from the Web UI (another note) is left as it is.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import {
  DEFAULT_RECONCILE_SETTINGS,
  RECONCILE_SCHEDULE_ID,
  RECONCILE_WORKFLOW_TYPE,
  type ReconcileInput,
} from '../workflows/reconcile-messages';

export interface ReconcileScheduleSettings {
  taskQueue: string;
  /** 0 pauses the schedule. */
  intervalSeconds: number;
  staleAfterSeconds: number;
  scheduleId?: string;
}

export const RECONCILE_PAUSE_NOTE = 'paused by the worker: RECONCILE_INTERVAL_SECONDS=0';

export interface EnsuredSchedule {
  scheduleId: string;
  outcome: 'created' | 'updated';
  paused: boolean;
}

export async function ensureReconcileSchedule(client: Client, settings: ReconcileScheduleSettings): Promise<EnsuredSchedule> {
  const scheduleId = settings.scheduleId ?? RECONCILE_SCHEDULE_ID;
  const pause = settings.intervalSeconds === 0;
  const interval = (seconds: number): ScheduleSpec => ({ intervals: [{ every: `${seconds}s` }] });
  const input: ReconcileInput = { staleAfterSeconds: settings.staleAfterSeconds };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RECONCILE_WORKFLOW_TYPE,
    // The server appends each run's scheduled time.
    workflowId: scheduleId,
    taskQueue: settings.taskQueue,
    args: [input],
    staticSummary: 'Reconciliation: undelivered webhooks, transactions without a workflow, stale syncs',
  };
  // One missed run is enough after the server was away: later ones would find the same work.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' };
  try {
    await client.schedule.create({
      scheduleId,
      spec: interval(pause ? DEFAULT_RECONCILE_SETTINGS.intervalSeconds : settings.intervalSeconds),
      action,
      policies,
      state: pause ? { paused: true, note: RECONCILE_PAUSE_NOTE } : {},
    });
    return { scheduleId, outcome: 'created', paused: pause };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  let paused = pause;
  await client.schedule.getHandle(scheduleId).update((previous) => {
    const pausedByUs = previous.state.paused && previous.state.note === RECONCILE_PAUSE_NOTE;
    const state = pause
      ? { paused: true, note: RECONCILE_PAUSE_NOTE }
      : pausedByUs
        ? { paused: false, note: `resumed by the worker: RECONCILE_INTERVAL_SECONDS=${settings.intervalSeconds}` }
        : previous.state;
    paused = state.paused ?? false;
    return {
      ...previous,
      // Paused: the interval it had, for whoever resumes it by hand.
      spec: pause ? previous.spec : interval(settings.intervalSeconds),
      action,
      policies: { ...previous.policies, ...policies },
      state,
    };
  });
  return { scheduleId, outcome: 'updated', paused };
}
