/** Timeouts and retry policy of the business-action activities. */
import type { ActivityOptions } from '@temporalio/common';
import { PERMANENT_ACTION_ERROR_TYPES } from './error-types';
import type { SignatureTransactionInput } from './messages';

/**
 * The business actions heartbeat while they work, and each heartbeat renews the action's lease in
 * the database. Past this long without one, Temporal takes the attempt (and its worker) for lost and
 * retries it: a crashed worker holds an action for 30 seconds, not for its whole startToCloseTimeout.
 */
export const ACTION_HEARTBEAT_TIMEOUT = '30 seconds';

/** One attempt of a business action ends after this long, heartbeats or not (then Temporal retries it). */
export const ACTION_START_TO_CLOSE_MS = 5 * 60_000;

/** Defaults of `SignatureTransactionInput.actionRetry`. */
export const DEFAULT_ACTION_RETRY = { initialSeconds: 5, maximumIntervalMinutes: 10, giveUpAfterHours: 72 } as const;

/**
 * Retryable failures (gateway or SMTP down) are retried for days, not minutes: the order or the
 * e-mail must still happen after an outage. Permanent ones fail at once.
 */
export function businessActionOptions(retry: SignatureTransactionInput['actionRetry']): ActivityOptions {
  return {
    startToCloseTimeout: ACTION_START_TO_CLOSE_MS,
    heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: `${retry?.giveUpAfterHours ?? DEFAULT_ACTION_RETRY.giveUpAfterHours} hours`,
    retry: {
      initialInterval: `${retry?.initialSeconds ?? DEFAULT_ACTION_RETRY.initialSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${DEFAULT_ACTION_RETRY.maximumIntervalMinutes} minutes`,
      ...(retry?.maximumAttempts ? { maximumAttempts: retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: [...PERMANENT_ACTION_ERROR_TYPES],
    },
  };
}
