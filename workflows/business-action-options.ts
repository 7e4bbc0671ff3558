/** Timeouts and retry policy of the business-action activities. */
import type { ActivityOptions } from '@temporalio/common';
import { PERMANENT_ACTION_ERROR_TYPES } from './error-types';
import type { SignatureTransactionInput } from './messages';

/**
 * Retryable failures (gateway or SMTP down) are retried for days, not minutes: the order or the
 * e-mail must still happen after an outage. Permanent ones fail at once.
 */
export function businessActionOptions(retry: SignatureTransactionInput['actionRetry']): ActivityOptions {
  return {
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: `${retry?.giveUpAfterHours ?? 72} hours`,
    retry: {
      initialInterval: `${retry?.initialSeconds ?? 5} seconds`,
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      ...(retry?.maximumAttempts ? { maximumAttempts: retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: [...PERMANENT_ACTION_ERROR_TYPES],
    },
  };
}
