/**
 * Delivers a recorded webhook event to its transaction's workflow with signalWithStart: signals
 * the running workflow, or starts one for a transaction never seen (adoption), but never starts a
 * new run for a transaction whose workflow already ended. Marks the event with the outcome.
 * Used by the API (right after the answer, and its background redelivery) and by the worker's
 * reconciliation (events left undelivered).
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import type { PollSettings } from '../../workflows/messages';
import { signatureWorkflowId, universignEventSignal } from '../../workflows/messages';
import { sageDocumentFromMetadata } from '../../workflows/sage-document-metadata';
import { isFinalStatus } from '../../workflows/status-machine';
import { webhookEventLogIds } from '../transaction-log-ids';
import type { PendingWebhookEvent, WebhookStore } from './webhook-store';

/** What a delivery needs: the API's AppDeps has it all, the worker builds it for its reconciliation. */
export interface WebhookDeliveryDeps {
  prisma: PrismaClient;
  webhooks: WebhookStore;
  temporal: Client;
  /** The client deliveries signal through (a native connection in the API); `temporal` when absent. */
  signalClient?: () => Promise<Client>;
  /** Task queue and poll cadence of the workflows a delivery starts. */
  settings: { taskQueue: string; poll: PollSettings };
}

export type DeliveryOutcome = 'signalled' | 'ignored';

/** Temporal (or the database) could not be reached or refused the call: the event stays pending and is retried. */
export class WorkflowUnavailableError extends Error {
  override name = 'WorkflowUnavailableError';
  constructor(
    message: string,
    /** true when waiting may help (unreachable, deadline); false for a refusal that will repeat. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/**
 * gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, anywhere in the cause chain; and
 * CANCELLED, which is how the native (Rust core) connection reports our own deadline passing
 * ("Timeout expired"), e.g. while the Temporal server is paused or overloaded.
 */
function isTransient(err: unknown): boolean {
  for (let current: unknown = err, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === 14 || code === 4 || code === 8 || code === 1) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

// Short: Universign waits for the answer, and a 503 makes it retry anyway.
const TEMPORAL_DEADLINE_MS = 2_000;

export interface DeliverOptions {
  /** Where a delivery whose outcome cannot be recorded is reported (the event is still delivered). */
  log: { warn(details: object, message: string): void };
  /**
   * Re-read whether the transaction is final first. The API recording a fresh event already did
   * (in its insert); the redelivery of an older one does.
   */
  checkFinal?: boolean;
}

export async function deliverWebhookEvent(
  deps: WebhookDeliveryDeps,
  event: PendingWebhookEvent,
  { checkFinal = true, log }: DeliverOptions,
): Promise<DeliveryOutcome> {
  const { prisma, temporal, settings } = deps;
  const transactionId = event.universignTransactionId;
  const sageDocument = sageDocumentFromMetadata(event.metadata);
  const start = buildSignatureWorkflowStart({ transactionId, sageDocument, taskQueue: settings.taskQueue, poll: settings.poll });
  // A transaction recorded as final is done, even once Temporal no longer keeps its closed run.
  if (checkFinal) {
    const recorded = await prisma.signatureTransaction
      .findUnique({ where: { universignId: transactionId }, select: { status: true } })
      .catch((err: unknown) => {
        throw new WorkflowUnavailableError(
          `cannot read transaction ${transactionId}: ${err instanceof Error ? err.message : String(err)}`,
          true,
        );
      });
    if (recorded && isFinalStatus(recorded.status)) return markDelivered(deps, log, event, 'ignored');
  }

  // Not connected yet counts as unreachable: waiting may help.
  let connected = false;
  try {
    const client = deps.signalClient ? await deps.signalClient() : temporal;
    connected = true;
    await client.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      // The same start options as the send workflow's child start (a completed run is never restarted).
      client.workflow.signalWithStart(start.workflowType, {
        ...start.options,
        signal: universignEventSignal,
        signalArgs: [{ ...webhookEventLogIds(event), type: event.type, receivedAt: event.receivedAt.toISOString() }],
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return markDelivered(deps, log, event, 'ignored');
    const message = `${connected ? '' : 'cannot connect to Temporal: '}${describeChain(err)}`;
    // The delivery error below is what matters (the caller logs it); the event stays pending either way.
    await deps.webhooks
      .markFailed(event.id, message)
      .catch((markErr: unknown) =>
        log.warn({ ...webhookEventLogIds(event), err: errorMessage(markErr) }, 'cannot record a failed webhook delivery attempt'),
      );
    throw new WorkflowUnavailableError(
      `cannot signal workflow ${signatureWorkflowId(transactionId)}: ${message}`,
      !connected || isTransient(err),
    );
  }
  return markDelivered(deps, log, event, 'signalled');
}

/**
 * Records the outcome. If that write fails after the signal went through, the event stays
 * `received` and is signalled again once its lease passes, which the workflow ignores (it dedupes
 * event ids): the caller still gets the real outcome rather than an error.
 */
async function markDelivered(
  deps: WebhookDeliveryDeps,
  log: DeliverOptions['log'],
  event: PendingWebhookEvent,
  outcome: DeliveryOutcome,
): Promise<DeliveryOutcome> {
  await deps.webhooks
    .markDelivered(event.id, outcome)
    .catch((err: unknown) =>
      log.warn(
        { ...webhookEventLogIds(event), outcome, err: errorMessage(err) },
        'webhook event delivered but not marked so: it is signalled again once its lease passes (the workflow ignores the repeat)',
      ),
    );
  return outcome;
}

/** The SDK's message ("Failed to signalWithStart Workflow") says nothing of why: the causes' messages do. */
function describeChain(err: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = err, depth = 0; current && depth < 5; depth += 1) {
    parts.push(errorMessage(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
