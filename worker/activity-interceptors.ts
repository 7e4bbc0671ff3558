/**
 * The worker's activity interceptors: an activity whose input names a transaction logs its id
 * (the SDK adds the workflow's ids), and the Universign queue reports how long each call waited
 * to start (the queue's rate limit, its concurrency cap and worker availability included).
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** Log lines of an activity whose first argument has a `transactionId` carry it. */
export const transactionLogAttributes: ActivityInterceptorsFactory = () => {
  let transactionId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const first = input.args[0] as { transactionId?: unknown } | undefined;
        if (typeof first?.transactionId === 'string') transactionId = first.transactionId;
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next(transactionId ? { transactionId, ...attributes } : attributes),
    },
  };
};

/** Calls `onWait` with the seconds between an attempt's scheduling and its start. */
export function queueWaitObserver(onWait: (seconds: number) => void): ActivityInterceptorsFactory {
  return (context) => {
    onWait(Math.max(0, Date.now() - context.info.currentAttemptScheduledTimestampMs) / 1000);
    return {};
  };
}
