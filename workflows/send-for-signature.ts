/**
 * `sendForSignature`: one send request (id derived from its Idempotency-Key). Creates the
 * Universign transaction, adds the document, one field and signature per signer, the
 * participants' details, starts it, then starts the transaction's `signatureTransaction` workflow
 * as a child that outlives this one. Each step is an activity whose result (the ids Universign
 * returned) is kept in this workflow's history: a step whose result is recorded is never run
 * again, and a retried activity checks Universign first where it can (see activities/send/).
 * A step that fails for good fails the workflow with a SendStepFailed naming it.
 * Deterministic: no I/O here.
 */
import { type ActivityOptions, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { SendActivities } from '../activities/send/create-send-activities';
import { buildSignatureWorkflowStart } from './build-signature-workflow-start';
import { UNIVERSIGN_ERROR_TYPES } from './error-types';
import { sageDocumentMetadata } from './sage-document-metadata';
import {
  defaultTransactionName,
  REQUEST_ID_METADATA_KEY,
  SEND_STEP_FAILED,
  type SendFailureDetails,
  type SendForSignatureInput,
  type SendProgress,
  type SendResult,
  sendProgressQuery,
} from './send-messages';
import { universignTaskQueue } from './task-queues';

// A Universign step retries a few times over about 15 s (a 429, a 5xx, a timeout), then fails the send.
function stepOptions(): ActivityOptions {
  return {
    taskQueue: universignTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: 5,
      nonRetryableErrorTypes: [UNIVERSIGN_ERROR_TYPES.notFound, UNIVERSIGN_ERROR_TYPES.auth, UNIVERSIGN_ERROR_TYPES.badResponse],
    },
  };
}

export async function sendForSignature(input: SendForSignatureInput): Promise<SendResult> {
  const info = workflowInfo();
  const steps = proxyActivities<SendActivities>(stepOptions());
  const progress: SendProgress = {
    requestId: info.workflowId,
    sageDocument: input.sageDocument,
    step: null,
    stepsDone: [],
    transactionId: null,
    documentId: null,
    result: null,
    error: null,
  };
  setHandler(sendProgressQuery, () => progress);

  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    progress.step = name;
    showProgress(progress);
    try {
      const result = await run();
      progress.stepsDone.push(name);
      return result;
    } catch (err) {
      throw stepFailure(progress, name, err);
    }
  }

  const { transactionId } = await step('create the transaction', () =>
    steps.createUniversignTransaction({
      name: input.name ?? defaultTransactionName(input.sageDocument),
      language: input.language,
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
      metadata: { ...sageDocumentMetadata(input.sageDocument), [REQUEST_ID_METADATA_KEY]: info.workflowId },
    }),
  );
  progress.transactionId = transactionId;
  const { documentId } = await step('add the document', () =>
    steps.addUniversignDocument({ transactionId, fileId: input.fileId, name: input.documentName }),
  );
  progress.documentId = documentId;

  for (const signer of input.signers) {
    const { fieldId } = await step(`add the signature field of ${signer.email}`, () =>
      steps.addSignatureField({ transactionId, documentId }),
    );
    await step(`add the signature of ${signer.email}`, () =>
      steps.addUniversignSignature({ transactionId, signer: signer.email, fieldId }),
    );
  }
  // After every signature: until then a participant on the transaction means its signature was added.
  for (const signer of input.signers) {
    if (signer.fullName === undefined && signer.phone === undefined) continue;
    await step(`set the details of participant ${signer.email}`, () =>
      steps.setUniversignParticipant({
        transactionId,
        participant: {
          email: signer.email,
          ...(signer.fullName !== undefined ? { fullName: signer.fullName } : {}),
          ...(signer.phone !== undefined ? { phoneNumber: signer.phone } : {}),
        },
      }),
    );
  }
  await step('start the transaction', () => steps.startUniversignTransaction(transactionId));

  const start = buildSignatureWorkflowStart({
    transactionId,
    sageDocument: input.sageDocument,
    taskQueue: info.taskQueue,
    ...(input.poll ? { poll: input.poll } : {}),
    ...(input.publishSearchAttributes === false ? { publishSearchAttributes: false } : {}),
  });
  await step('start the workflow', async () => {
    try {
      // ABANDON: the transaction's workflow lives on (for weeks) after this send completes.
      await startChild(start.workflowType, { ...start.options, parentClosePolicy: ParentClosePolicy.ABANDON });
    } catch (err) {
      // A webhook about the new transaction got there first and started (adopted) it: same workflow.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  });

  const result: SendResult = { transactionId, workflowId: start.options.workflowId, status: 'EN_COURS' };
  progress.step = null;
  progress.result = result;
  showProgress(progress);
  return result;
}

/** The failure of a step, named in the message (the Web UI shows it) and in the details (the API reads them). */
function stepFailure(progress: SendProgress, step: string, err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  progress.error = { step, message };
  showProgress(progress);
  const details: SendFailureDetails = {
    step,
    transactionId: progress.transactionId,
    causeType: cause instanceof ApplicationFailure ? (cause.type ?? null) : null,
  };
  return ApplicationFailure.create({
    type: SEND_STEP_FAILED,
    message: `could not ${step}: ${message}`,
    nonRetryable: true,
    details: [details],
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

/** Current details in the Web UI: the steps done, the one running or failed. */
function showProgress(progress: SendProgress): void {
  const lines = [
    `**Sage ${progress.sageDocument.type} ${progress.sageDocument.number}**${progress.transactionId ? ` — transaction ${progress.transactionId}` : ''}`,
    '',
    ...progress.stepsDone.map((done) => `- ✓ ${done}`),
  ];
  if (progress.error) lines.push(`- ✗ ${progress.error.step}: ${progress.error.message}`);
  else if (progress.step) lines.push(`- … ${progress.step}`);
  else if (progress.result) lines.push(`- → workflow ${progress.result.workflowId}`);
  setCurrentDetails(lines.join('\n'));
}
