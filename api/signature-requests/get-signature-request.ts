/**
 * GET /api/signature-requests/:id: a send's progress and outcome, read from its workflow alone
 * (describe, then its result or failure once closed, its `sendProgress` query while running).
 */
import { type Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SageDocumentRef } from '../../activities/sync-contracts';
import { SEND_WORKFLOW_TYPE, type SendResult, sendProgressQuery } from '../../workflows/send-messages';
import { UnknownSignatureRequestError } from '../domain-errors';
import { readSendFailure } from './await-send-result';
import { SEND_WORKFLOW_ID } from './identify-signature-request';
import type { SignatureRequestView } from './signature-request-schemas';

const TEMPORAL_DEADLINE_MS = 5_000;

export async function getSignatureRequest(temporal: Client, requestId: string): Promise<SignatureRequestView> {
  if (!SEND_WORKFLOW_ID.test(requestId)) throw new UnknownSignatureRequestError(requestId);
  const handle = temporal.workflow.getHandle(requestId);
  const within = <T>(call: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, call);
  const description = await within(() => handle.describe()).catch((err: unknown) => {
    throw err instanceof WorkflowNotFoundError ? new UnknownSignatureRequestError(requestId) : err;
  });
  if (description.type !== SEND_WORKFLOW_TYPE) throw new UnknownSignatureRequestError(requestId);
  const sageDocument = (description.memo?.sageDocument ?? null) as SageDocumentRef | null;
  const base = { requestId, sageDocument, stepsDone: null, transactionId: null, workflowId: null, error: null };

  if (description.status.name === 'RUNNING') {
    const progress = await within(() => handle.query(sendProgressQuery)).catch(() => null);
    return {
      ...base,
      status: 'running',
      step: progress?.step ?? null,
      stepsDone: progress?.stepsDone ?? null,
      transactionId: progress?.transactionId ?? null,
    };
  }
  try {
    const result: SendResult = await within(() => handle.result());
    return { ...base, status: 'sent', step: null, transactionId: result.transactionId, workflowId: result.workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const { step, message, details } = readSendFailure(err);
    return { ...base, status: 'failed', step, transactionId: details?.transactionId ?? null, error: { step, message } };
  }
}
