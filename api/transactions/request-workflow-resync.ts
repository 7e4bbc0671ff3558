/**
 * Runs the workflow's `resync` update (a fresh read from Universign, recorded, then the resulting
 * state) and says plainly when it cannot: no such workflow, workflow already closed, or Temporal
 * (or the workflow's worker) not answering in time.
 */
import {
  type Client,
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { resyncUpdate, signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { TemporalUnavailableError } from '../domain-errors';

/** Covers acceptance by a worker and the sync itself (one Universign read and one database write). */
export const RESYNC_DEADLINE_MS = 30_000;
const DESCRIBE_DEADLINE_MS = 5_000;

export type WorkflowResync =
  | { kind: 'synced'; state: TransactionState }
  /** The run has ended; `finalState` is its result when it completed normally. */
  | { kind: 'closed'; workflowStatus: string; finalState: TransactionState | null }
  | { kind: 'missing' };

export async function requestWorkflowResync(temporal: Client, transactionId: string, reason: string | undefined): Promise<WorkflowResync> {
  const handle = temporal.workflow.getHandle<() => Promise<TransactionState>>(signatureWorkflowId(transactionId));
  try {
    const state = await temporal.connection.withDeadline(Date.now() + RESYNC_DEADLINE_MS, () =>
      handle.executeUpdate(resyncUpdate, { args: [reason ? { reason } : {}] }),
    );
    return { kind: 'synced', state };
  } catch (err) {
    throwIfUnavailable(err, `resync of ${handle.workflowId}`);
    // Temporal answers NOT_FOUND both for an unknown id and for a closed run: describe tells them apart.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  try {
    const description = await temporal.connection.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () => handle.describe());
    const workflowStatus = description.status.name;
    const finalState =
      workflowStatus === 'COMPLETED'
        ? await temporal.connection.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () => handle.result())
        : null;
    return { kind: 'closed', workflowStatus, finalState };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'missing' };
    throwIfUnavailable(err, `describe of ${handle.workflowId}`);
    throw err;
  }
}

function throwIfUnavailable(err: unknown, what: string): void {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    throw new TemporalUnavailableError(
      `no answer to the ${what} within ${RESYNC_DEADLINE_MS / 1000} s (Temporal or the worker is not responding)`,
      { cause: err },
    );
  }
  if (err instanceof ServiceError || isGrpcServiceError(err)) {
    throw new TemporalUnavailableError(`Temporal did not serve the ${what}: ${firstLine(err.message)}`, { cause: err });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
