/**
 * The API's part of a send: check the Sage document exists (when a Sage gateway is configured),
 * upload the PDF to Universign (the PDF never enters workflow history, the database or the logs:
 * only its file id does), then start the `sendForSignature` workflow, or join the one this
 * Idempotency-Key already started (running or finished: its outcome is the answer). The
 * Universign steps themselves are the workflow's.
 */
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionDescription,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { FastifyBaseLogger } from 'fastify';
import { UniversignAuthError, UniversignError, UniversignUnavailableError } from '../../activities/universign-errors';
import { SAGE_DOCUMENT_KEY, sageDocumentKeyword } from '../../workflows/search-attributes';
import { describeSendWorkflow, SEND_WORKFLOW_TYPE, type SendForSignatureInput } from '../../workflows/send-messages';
import type { AppDeps } from '../app-deps';
import { IdempotencyKeyReusedError, SendFailedError } from '../domain-errors';
import { checkSageDocument } from './check-sage-document';
import { hashSignatureRequest, sendWorkflowId } from './identify-signature-request';
import type { SignatureRequestInput } from './parse-signature-request';

// The caller is waiting; a 503 tells it to come back with the same key.
const TEMPORAL_DEADLINE_MS = 5_000;

export interface StartedSend {
  requestId: string;
  /** true when this key's workflow already existed: this call joined it. */
  joined: boolean;
}

export async function startSendWorkflow(
  deps: AppDeps,
  input: SignatureRequestInput,
  options: { idempotencyKey?: string; log: FastifyBaseLogger },
): Promise<StartedSend> {
  const { temporal, settings } = deps;
  const requestId = sendWorkflowId(options.idempotencyKey);
  const requestHash = hashSignatureRequest(input);
  // A retry finds the first attempt's workflow before uploading the PDF again.
  if (options.idempotencyKey !== undefined) {
    const existing = await describe(temporal, requestId);
    if (existing) return join(existing, requestId, requestHash);
  }

  // Nothing reaches Universign for a document Sage does not have.
  if (deps.sage) await checkSageDocument(deps.sage, input.sageDocument, requestId, options.log);
  const fileId = await uploadPdf(deps, input, requestId);
  const workflowInput: SendForSignatureInput = {
    sageDocument: input.sageDocument,
    fileId,
    documentName: input.document.name,
    signers: input.signers,
    ...(input.name !== undefined ? { name: input.name } : {}),
    language: input.language,
    ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    poll: settings.poll,
  };
  try {
    await temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      temporal.workflow.start(SEND_WORKFLOW_TYPE, {
        workflowId: requestId,
        taskQueue: settings.taskQueue,
        args: [workflowInput],
        // One outcome per key, success or failure: a finished send is joined, never run again.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { requestHash, sageDocument: input.sageDocument },
        staticSummary: describeSendWorkflow(input.sageDocument, input.signers.length),
        typedSearchAttributes: [{ key: SAGE_DOCUMENT_KEY, value: sageDocumentKeyword(input.sageDocument) }],
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // Another attempt with this key started it a moment ago: join it (the file uploaded here expires unused).
      const existing = await describe(temporal, requestId);
      if (existing) return join(existing, requestId, requestHash);
    }
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SendFailedError(
      `the send workflow could not be started (Temporal: ${message}); ${retryAdvice(options.idempotencyKey)}`,
      { requestId, step: 'start the send workflow' },
      true,
    );
  }
  options.log.info({ requestId, sageDocument: input.sageDocument, signers: input.signers.length, fileId }, 'send workflow started');
  return { requestId, joined: false };
}

function join(existing: WorkflowExecutionDescription, requestId: string, requestHash: string): StartedSend {
  if (existing.type !== SEND_WORKFLOW_TYPE || existing.memo?.requestHash !== requestHash) {
    throw new IdempotencyKeyReusedError(requestId);
  }
  return { requestId, joined: true };
}

async function describe(temporal: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  try {
    return await temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
      temporal.workflow.getHandle(workflowId).describe(),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SendFailedError(
      `cannot reach Temporal to look up this request (${message}); retry with the same Idempotency-Key`,
      { requestId: workflowId },
      true,
    );
  }
}

async function uploadPdf(deps: AppDeps, input: SignatureRequestInput, requestId: string): Promise<string> {
  try {
    const file = await deps.universign.uploadFile({
      name: input.document.name,
      content: input.document.content,
      contentType: 'application/pdf',
    });
    return file.id;
  } catch (err) {
    const where = { requestId, step: 'upload the PDF' };
    if (err instanceof UniversignUnavailableError) {
      throw new SendFailedError(`Universign is unavailable (could not upload the PDF: ${err.message}); retry later`, where, true);
    }
    if (err instanceof UniversignAuthError) {
      // The status alone: an auth failure's body says nothing the operator needs and may say too much.
      throw new SendFailedError(
        `Universign refused the API key (could not upload the PDF: HTTP ${err.status ?? '?'}); check UNIVERSIGN_API_KEY`,
        where,
        false,
      );
    }
    if (err instanceof UniversignError) throw new SendFailedError(`Universign refused to upload the PDF: ${err.message}`, where, false);
    throw err;
  }
}

function retryAdvice(idempotencyKey: string | undefined): string {
  return idempotencyKey !== undefined
    ? 'retry with the same Idempotency-Key'
    : 'send the request with an Idempotency-Key to make retries safe';
}
