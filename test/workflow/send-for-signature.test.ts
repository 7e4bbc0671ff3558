/**
 * The sendForSignature workflow on the time-skipping server, with the real send activities over
 * an in-memory Universign: steps retried after failures and lost answers without a second
 * transaction, document, field, signature or start; a permanent failure naming its step; a
 * transaction workflow already started (by a webhook) adopted as the child.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSendActivities } from '../../activities/send/create-send-activities';
import { createQueueWorkers } from '../../worker/create-sync-worker';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';
import { signatureWorkflowId } from '../../workflows/messages';
import {
  SEND_STEP_FAILED,
  SEND_WORKFLOW_TYPE,
  type SendFailureDetails,
  type SendForSignatureInput,
  type SendResult,
  sendProgressQuery,
} from '../../workflows/send-messages';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal-env';
import { createFakeSyncActivities } from './fake-sync-activities';
import { createFakeUniversignSender, type FakeUniversignSender } from './fake-universign-sender';

let env: TestWorkflowEnvironment;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const INPUT: Omit<SendForSignatureInput, 'fileId'> = {
  sageDocument: { type: 'devis', number: 'D0042' },
  documentName: 'devis-D0042.pdf',
  signers: [{ email: 'alice@client.example', fullName: 'Alice Martin' }, { email: 'bob@client.example' }],
  language: 'fr',
  // The time-skipping server knows no custom search attributes.
  publishSearchAttributes: false,
};

async function withSend(
  body: (ctx: { fake: FakeUniversignSender; transactionId: string; taskQueue: string; requestId: string }) => Promise<void>,
): Promise<void> {
  counter += 1;
  const transactionId = `tx_send${counter}_${Date.now()}`;
  const taskQueue = `send-test-${counter}`;
  const fake = createFakeUniversignSender(transactionId);
  // The child signatureTransaction runs on stand-ins too.
  const sync = createFakeSyncActivities(env, transactionId);
  const worker = await createQueueWorkers({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...sync.activities, ...createSendActivities({ universign: fake.client }) },
  });
  const requestId = `send-key-wf-${counter}-${Date.now()}`;
  await worker.runUntil(async () => {
    try {
      await body({ fake, transactionId, taskQueue, requestId });
    } finally {
      await env.client.workflow
        .getHandle(signatureWorkflowId(transactionId))
        .terminate('test over')
        .catch(() => undefined);
    }
  });
}

function startSend(taskQueue: string, requestId: string) {
  return env.client.workflow.start(SEND_WORKFLOW_TYPE, { taskQueue, workflowId: requestId, args: [{ ...INPUT, fileId: 'file_1' }] });
}

describe('sendForSignature workflow (time-skipping server)', () => {
  test('failed and lost calls are retried without a second transaction, document, signature or start', async () => {
    await withSend(async ({ fake, transactionId, taskQueue, requestId }) => {
      fake.faults = {
        createTransaction: ['fail'],
        addDocument: ['lost'],
        addSignatureField: ['fail'],
        addSignature: ['lost'],
        startTransaction: ['lost'],
      };
      const handle = await startSend(taskQueue, requestId);
      const result: SendResult = await handle.result();
      assert.deepEqual(result, { transactionId, workflowId: signatureWorkflowId(transactionId), status: 'EN_COURS' });

      assert.equal(fake.created, 1, 'one transaction');
      assert.deepEqual(fake.documents, [{ id: 'doc_1', name: 'devis-D0042.pdf' }], 'one document');
      assert.equal(fake.fields.length, 2, 'one field per signer');
      assert.deepEqual(
        fake.signatures.map((each) => each.signer),
        ['alice@client.example', 'bob@client.example'],
        'one signature per signer',
      );
      assert.equal(fake.state, 'started');
      assert.equal(fake.calls.filter((call) => call === 'startTransaction').length, 1, 'started once');
      assert.deepEqual([...fake.participants.keys()], ['alice@client.example'], 'details only for the signer who has some');
      // Only the retries of the lost calls read the draft first.
      assert.equal(fake.calls.filter((call) => call === 'getTransaction').length, 3);

      const progress = await handle.query(sendProgressQuery);
      assert.equal(progress.transactionId, transactionId);
      assert.equal(progress.error, null);
      assert.deepEqual(progress.result, result);

      // The transaction's workflow: started as the send's child, running on after it completed.
      const child = await env.client.workflow.getHandle(result.workflowId).describe();
      assert.equal(child.status.name, 'RUNNING');
      assert.equal(child.parentExecution?.workflowId, requestId);
    });
  });

  test('a permanent failure fails the send at once, naming its step, with the transaction it had created', async () => {
    await withSend(async ({ fake, transactionId, taskQueue, requestId }) => {
      fake.faults = { addDocument: ['refuse'] };
      const handle = await startSend(taskQueue, requestId);
      const failure = await handle.result().then(
        () => assert.fail('the send should fail'),
        (err: unknown) => err,
      );
      assert.ok(failure instanceof WorkflowFailedError);
      assert.ok(failure.cause instanceof ApplicationFailure);
      assert.equal(failure.cause.type, SEND_STEP_FAILED);
      assert.match(failure.cause.message, /^could not add the document: .*HTTP 401/);
      const details = failure.cause.details?.[0] as SendFailureDetails;
      assert.deepEqual(details, { step: 'add the document', transactionId, causeType: UNIVERSIGN_ERROR_TYPES.auth });
      assert.equal(fake.documents.length, 0);
      assert.equal(fake.state, 'draft', 'not started');
      await assert.rejects(env.client.workflow.getHandle(signatureWorkflowId(transactionId)).describe(), 'no transaction workflow');
    });
  });

  test('a transaction workflow a webhook started first is adopted: the send succeeds with it', async () => {
    await withSend(async ({ transactionId, taskQueue, requestId }) => {
      const start = buildSignatureWorkflowStart({
        transactionId,
        sageDocument: INPUT.sageDocument,
        taskQueue,
        publishSearchAttributes: false,
      });
      const early = await env.client.workflow.start(start.workflowType, start.options);
      const result: SendResult = await (await startSend(taskQueue, requestId)).result();
      assert.equal(result.workflowId, early.workflowId);
      const child = await env.client.workflow.getHandle(result.workflowId).describe();
      assert.equal(child.runId, early.firstExecutionRunId, 'the same run, not a second one');
      assert.equal(child.parentExecution, undefined);
    });
  });
});
