/**
 * The sync activities as the transaction workflow calls them: Universign reads with their retry
 * policy, and the database records that retry until they succeed. Activity types only: the
 * activities themselves run in the worker.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/create-sync-activities';
import { PERMANENT_UNIVERSIGN_ERROR_TYPES } from './error-types';

const FETCH_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [...PERMANENT_UNIVERSIGN_ERROR_TYPES],
  },
};

// Database writes retry until they succeed: a sync is never dropped because PostgreSQL was briefly
// away, and tries stay 10 s apart at most, so the workflows move on within 10 s of its return.
export const RECORD_OPTIONS: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/** Runs recorded before FLEET_SCALE_PATCH: every activity on the workflow's own queue. */
export const legacyFetches = proxyActivities<SyncActivities>({ ...FETCH_OPTIONS });
export const legacyRecords = proxyActivities<SyncActivities>(RECORD_OPTIONS);
/** Sync records run in the worker that ran the workflow task: no task-queue round trip. */
export const localRecords = proxyLocalActivities<SyncActivities>(RECORD_OPTIONS);

/** Universign reads on Universign's own rate-limited task queue. */
export function universignFetches(universignQueue: string): SyncActivities {
  return proxyActivities<SyncActivities>({ ...FETCH_OPTIONS, taskQueue: universignQueue });
}
