/** Timeouts and retry policy of the business-action activities. */
import type { ActivityOptions } from '@temporalio/common';
import { PERMANENT_ACTION_ERROR_TYPES } from './error-types';
import type { SignatureTransactionInput } from './messages';

/**
 * The business actions heartbeat while they work (every third of this), and each heartbeat renews
 * the action's lease in the database (two of these long). Past this long without one, Temporal
 * takes the attempt (and its worker) for lost and retries it; the retry acts once the lease has
 * lapsed: a crashed worker's action is taken over within about 30 seconds.
 */
export const ACTION_HEARTBEAT_TIMEOUT = '15 seconds';

/** One attempt of a business action ends after this long, heartbeats or not (then Temporal retries it). */
export const ACTION_START_TO_CLOSE_MS = 5 * 60_000;

/** Defaults of `SignatureTransactionInput.actionRetry`. */
export const DEFAULT_ACTION_RETRY = { initialSeconds: 5, maximumIntervalSeconds: 30, giveUpAfterHours: 72 } as const;

/**
 * Retryable failures (gateway, SMTP or database down) are retried for days, not minutes: the order
 * or the e-mail must still happen after an outage. Retries stay at most 30 s apart, so the end of
 * an outage is noticed within 30 s (a try every 30 s of a gateway that is down is cheap).
 * Permanent failures fail at once.
 */
export function businessActionOptions(retry: SignatureTransactionInput['actionRetry']): ActivityOptions {
  const initialSeconds = retry?.initialSeconds ?? DEFAULT_ACTION_RETRY.initialSeconds;
  // Temporal refuses a policy whose maximum interval is below its initial one.
  const maximumIntervalSeconds = Math.max(retry?.maximumIntervalSeconds ?? DEFAULT_ACTION_RETRY.maximumIntervalSeconds, initialSeconds);
  return {
    startToCloseTimeout: ACTION_START_TO_CLOSE_MS,
    heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: `${retry?.giveUpAfterHours ?? DEFAULT_ACTION_RETRY.giveUpAfterHours} hours`,
    retry: {
      initialInterval: `${initialSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${maximumIntervalSeconds} seconds`,
      ...(retry?.maximumAttempts ? { maximumAttempts: retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: [...PERMANENT_ACTION_ERROR_TYPES],
    },
  };
}
