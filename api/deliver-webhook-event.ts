/**
 * Delivers a recorded webhook event to its transaction's workflow with signalWithStart: signals
 * the running workflow, or starts one for a transaction never seen (adoption), but never starts a
 * new run for a transaction whose workflow already ended. Marks the event with the outcome.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { WebhookEvent } from '../prisma/generated/client';
import {
  SIGNATURE_WORKFLOW_TYPE,
  signatureWorkflowId,
  universignEventSignal,
  type SignatureTransactionInput,
} from '../workflows/messages';
import { sageDocumentFromMetadata } from '../workflows/sage-document-metadata';
import { SAGE_DOCUMENT_KEY, sageDocumentKeyword } from '../workflows/search-attributes';
import type { AppDeps } from './app-deps';
import { describeSignatureWorkflow } from './describe-signature-workflow';

export type DeliveryOutcome = 'signalled' | 'ignored';

/** Temporal could not be reached or refused the call: the event stays pending and is retried. */
export class WorkflowUnavailableError extends Error {
  override name = 'WorkflowUnavailableError';
}

// Short: Universign waits for the answer, and a 503 makes it retry anyway.
const TEMPORAL_DEADLINE_MS = 2_000;

export async function deliverWebhookEvent(deps: AppDeps, event: WebhookEvent): Promise<DeliveryOutcome> {
  const { prisma, temporal, settings } = deps;
  const transactionId = event.universignTransactionId;
  const sageDocument = sageDocumentFromMetadata(transactionMetadata(event.payload));
  const input: SignatureTransactionInput = {
    transactionId,
    ...(sageDocument ? { sageDocument } : {}),
    poll: settings.poll,
  };
  let outcome: DeliveryOutcome;
  try {
    await temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      temporal.workflow.signalWithStart(SIGNATURE_WORKFLOW_TYPE, {
        workflowId: signatureWorkflowId(transactionId),
        taskQueue: settings.taskQueue,
        args: [input],
        signal: universignEventSignal,
        signalArgs: [{ eventId: event.eventId, type: event.type, receivedAt: event.receivedAt.toISOString() }],
        // A closed run with this id means the transaction is done: refuse to start another one.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: describeSignatureWorkflow(transactionId, sageDocument),
        ...(sageDocument ? { typedSearchAttributes: [{ key: SAGE_DOCUMENT_KEY, value: sageDocumentKeyword(sageDocument) }] } : {}),
      }),
    );
    outcome = 'signalled';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      outcome = 'ignored';
    } else {
      const message = err instanceof Error ? err.message : String(err);
      await prisma.webhookEvent
        .update({ where: { id: event.id }, data: { deliveryAttempts: { increment: 1 }, lastError: message } })
        .catch(() => undefined);
      throw new WorkflowUnavailableError(`cannot signal workflow ${signatureWorkflowId(transactionId)}: ${message}`);
    }
  }
  await prisma.webhookEvent.update({
    where: { id: event.id },
    data: {
      status: outcome,
      deliveryAttempts: { increment: 1 },
      lastError: null,
      ...(outcome === 'signalled' ? { signalledAt: new Date() } : {}),
    },
  });
  return outcome;
}

function transactionMetadata(payload: unknown): Record<string, string> | null {
  const object = (payload as { payload?: { object?: { object?: unknown; metadata?: unknown } } } | null)?.payload?.object;
  if (!object || object.object !== 'transaction' || typeof object.metadata !== 'object' || object.metadata === null) {
    return null;
  }
  return Object.fromEntries(
    Object.entries(object.metadata as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
