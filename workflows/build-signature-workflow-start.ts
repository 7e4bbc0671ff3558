/**
 * The one way to start a transaction's `signatureTransaction` workflow: the send workflow's child
 * start, the webhook endpoint's signalWithStart and the benchmark all spread these options, so a
 * workflow has the same id, task queue, input, search attributes and summary whoever starts it.
 * Deterministic and free of Node built-ins: usable inside workflow code.
 */
import { type SearchAttributePair, WorkflowIdReusePolicy } from '@temporalio/common';
import type { SageDocumentRef } from '../activities/sync-contracts';
import { describeSignatureWorkflow } from './describe-signature-workflow';
import { type PollSettings, SIGNATURE_WORKFLOW_TYPE, type SignatureTransactionInput, signatureWorkflowId } from './messages';
import { SAGE_DOCUMENT_KEY, sageDocumentKeyword } from './search-attributes';

export interface SignatureWorkflowStartRequest {
  transactionId: string;
  /** Known when sending, or from the transaction's metadata when a webhook adopts it. */
  sageDocument?: SageDocumentRef | null;
  taskQueue: string;
  poll?: PollSettings;
  /** false on a namespace without the custom search attributes (the time-skipping test server). */
  publishSearchAttributes?: boolean;
}

/** `workflowType` to start, and `options` for client.workflow.start/signalWithStart or startChild. */
export interface SignatureWorkflowStart {
  workflowType: typeof SIGNATURE_WORKFLOW_TYPE;
  options: SignatureWorkflowStartOptions;
}

export interface SignatureWorkflowStartOptions {
  workflowId: string;
  taskQueue: string;
  args: [SignatureTransactionInput];
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  staticSummary: string;
  typedSearchAttributes?: SearchAttributePair[];
}

export function buildSignatureWorkflowStart(request: SignatureWorkflowStartRequest): SignatureWorkflowStart {
  const { transactionId, sageDocument, taskQueue, poll, publishSearchAttributes = true } = request;
  const input: SignatureTransactionInput = {
    transactionId,
    ...(sageDocument ? { sageDocument } : {}),
    ...(poll ? { poll } : {}),
    ...(publishSearchAttributes ? {} : { publishSearchAttributes: false }),
  };
  const options: SignatureWorkflowStartOptions = {
    workflowId: signatureWorkflowId(transactionId),
    taskQueue,
    args: [input],
    // A completed run means the transaction is done: never start another one. A failed or
    // terminated run (e.g. Universign briefly unreachable or misconfigured) may be restarted.
    // A running one is never replaced: the caller treats "already started" as success.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    staticSummary: describeSignatureWorkflow(transactionId, sageDocument),
    ...(sageDocument && publishSearchAttributes
      ? { typedSearchAttributes: [{ key: SAGE_DOCUMENT_KEY, value: sageDocumentKeyword(sageDocument) }] }
      : {}),
  };
  return { workflowType: SIGNATURE_WORKFLOW_TYPE, options };
}
