/**
 * GET /api/signature-requests/:id: a send's progress and outcome, read from its workflow alone
 * (describe, then its result or failure once closed, its `sendProgress` query while running).
 */
import { type Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SageDocumentRef } from '../activities/sync-contracts';
import { SEND_WORKFLOW_TYPE, type SendResult, sendProgressQuery } from '../workflows/send-messages';
import { readSendFailure } from './await-send-result';
import { SEND_WORKFLOW_ID } from './identify-signature-request';
import { HttpError } from './plugins/error-handler';

const TEMPORAL_DEADLINE_MS = 5_000;

export interface SignatureRequestView {
  requestId: string;
  sageDocument: SageDocumentRef | null;
  status: 'running' | 'sent' | 'failed';
  /** The step running now, or the one that failed. */
  step: string | null;
  stepsDone: string[] | null;
  transactionId: string | null;
  /** The transaction's workflow, once started. */
  workflowId: string | null;
  error: { step: string | null; message: string } | null;
}

export async function getSignatureRequest(temporal: Client, requestId: string): Promise<SignatureRequestView> {
  if (!SEND_WORKFLOW_ID.test(requestId)) throw notFound(requestId);
  const handle = temporal.workflow.getHandle(requestId);
  const within = <T>(call: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, call);
  const description = await within(() => handle.describe()).catch((err: unknown) => {
    throw err instanceof WorkflowNotFoundError ? notFound(requestId) : err;
  });
  if (description.type !== SEND_WORKFLOW_TYPE) throw notFound(requestId);
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

function notFound(requestId: string): HttpError {
  return new HttpError(404, `no signature request ${requestId}`);
}
