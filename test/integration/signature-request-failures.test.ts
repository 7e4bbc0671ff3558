/**
 * Failures of a send on the real stack (Temporal dev server, database, Universign simulator,
 * worker, the app over loopback HTTP): steps retried after lost answers without a second write,
 * a refused step named in the answer, GET, the workflow's failure and its query; a transaction
 * workflow a webhook started first; the upload refused; Temporal unavailable at the start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { SimulatorError } from '../../simulators/universign-simulator-error';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import { SEND_STEP_FAILED, sendProgressQuery } from '../../workflows/send-messages';
import { serverError, signatureRequestHelpers } from '../support/signature-request-helpers';
import { startTestStack, type TestStack } from '../support/start-test-stack';

let stack: TestStack;

before(async () => {
  // Webhooks held back (never flushed): only the tests start a transaction's workflow early.
  stack = await startTestStack({ webhooks: { reorder: true } });
});
after(() => stack?.close());

const {
  requestBody,
  post,
  transactionsFor,
  writesDuring,
  recordedInProgress,
  sendId,
  getRequest,
  patchStore,
  assertNoSendWorkflow,
  failNext,
} = signatureRequestHelpers(() => stack);

describe('POST /api/signature-requests: failures', () => {
  test('steps whose answer was lost are retried without a second document, signature or start', async () => {
    failNext('addDocument', 1, { done: true });
    failNext('start', 1, { done: true });
    const response = await post(requestBody('D-SR-5'), { key: 'lost-answers' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [tx, ...others] = transactionsFor('D-SR-5');
    assert.equal(others.length, 0);
    assert.equal(tx?.state, 'started');
    assert.equal(tx?.documents.length, 1, 'one document');
    assert.equal(tx?.signatures.length, 3);
    const starts = stack.universign.requests().filter((entry) => entry.path === `/v1/transactions/${tx?.id}/start`);
    assert.equal(starts.length, 1, 'the retry read the started transaction instead of starting it again');
    await recordedInProgress(response.body.transactionId);
  });

  test('a signature whose answer was lost is not added twice', async () => {
    let calls = 0;
    patchStore('addSignature', (original, restore) => (transactionId, signer, field) => {
      calls += 1;
      const signature = original(transactionId, signer, field);
      if (calls < 2) return signature;
      restore();
      throw serverError();
    });
    const response = await post(requestBody('D-SR-6'), { key: 'lost-signature-answer' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [tx, ...others] = transactionsFor('D-SR-6');
    assert.equal(others.length, 0);
    assert.equal(tx?.state, 'started');
    assert.deepEqual(tx?.signatures.map((signature) => signature.signer).sort(), [
      'alice@client.example',
      'bob@client.example',
      'carol@client.example',
    ]);
    assert.equal(tx?.documents[0]?.fields.length, 3, 'no extra field');
    await recordedInProgress(response.body.transactionId);
  });

  test('a step Universign refuses: 502 naming it; GET, the workflow failure and its query report the step and error', async () => {
    const refusedKey = 'document-refused';
    patchStore('addDocument', (_original, restore) => () => {
      restore();
      throw new SimulatorError(400, 'invalid_request', 'document rejected');
    });
    const failed = await post(requestBody('D-SR-7'), { key: refusedKey });
    assert.equal(failed.status, 502, JSON.stringify(failed.body));
    assert.equal(failed.body.step, 'add the document');
    assert.equal(failed.body.requestId, sendId(refusedKey));
    assert.match(failed.body.message, /could not add the document: .*HTTP 400.*document rejected/);
    assert.doesNotMatch(JSON.stringify(failed.body), /stack-universign-key|test-token/);
    const [draft] = transactionsFor('D-SR-7');
    assert.equal(draft?.state, 'draft');
    assert.equal(failed.body.transactionId, draft?.id);

    const view = await getRequest(sendId(refusedKey));
    assert.equal(view.body.status, 'failed');
    assert.equal(view.body.step, 'add the document');
    assert.equal(view.body.transactionId, draft?.id);
    assert.equal(view.body.error.step, 'add the document');
    assert.match(view.body.error.message, /could not add the document: .*document rejected/);

    // What the Web UI shows: the workflow's failure names the step; its query holds the error.
    const send = stack.env.client.workflow.getHandle(sendId(refusedKey));
    const failure = await send.result().then(
      () => assert.fail('the send should have failed'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof WorkflowFailedError);
    assert.ok(failure.cause instanceof ApplicationFailure);
    assert.equal(failure.cause.type, SEND_STEP_FAILED);
    assert.match(failure.cause.message, /^could not add the document: /);
    assert.equal((failure.cause.details?.[0] as { step: string } | undefined)?.step, 'add the document');
    const progress = await send.query(sendProgressQuery);
    assert.equal(progress.error?.step, 'add the document');
    assert.equal(progress.transactionId, draft?.id);

    // The outcome is final for its key: a retry answers it and sends nothing.
    const { result: retried, writes } = await writesDuring(() => post(requestBody('D-SR-7'), { key: refusedKey }));
    assert.equal(retried.status, 502);
    assert.equal(retried.body.step, 'add the document');
    assert.deepEqual(writes, []);
  });

  test('a webhook that started the transaction workflow first: the send adopts it', async () => {
    const adoptKey = 'webhook-first';
    let adopted: Promise<unknown> | null = null;
    // The first start answers 500 after the workflow was started as the webhook path starts it
    // (same builder); the step's retry a second later starts the transaction, then the child start meets it.
    patchStore('start', (_original, restore) => (transactionId) => {
      restore();
      const start = buildSignatureWorkflowStart({
        transactionId,
        sageDocument: { type: 'devis', number: 'D-SR-8' },
        taskQueue: stack.taskQueue,
        poll: { minSeconds: 3600, maxSeconds: 3600 },
      });
      adopted = stack.env.client.workflow.start(start.workflowType, start.options);
      throw serverError();
    });
    const response = await post(requestBody('D-SR-8'), { key: adoptKey });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.ok(adopted, 'the webhook path started the workflow');
    await adopted;
    const description = await stack.env.client.workflow.getHandle(response.body.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.parentExecution, undefined, 'the run the webhook path started, not a second one');
    const progress = await stack.env.client.workflow.getHandle(sendId(adoptKey)).query(sendProgressQuery);
    assert.deepEqual(progress.result, response.body);
    assert.equal(transactionsFor('D-SR-8')[0]?.state, 'started');
  });

  test('an upload Universign refuses is 502 naming the step, and starts no workflow', async () => {
    patchStore('uploadFile', (_original, restore) => () => {
      restore();
      throw new SimulatorError(400, 'invalid_request', 'file rejected');
    });
    const failed = await post(requestBody('D-SR-9'), { key: 'upload-refused' });
    assert.equal(failed.status, 502, JSON.stringify(failed.body));
    assert.equal(failed.body.step, 'upload the PDF');
    assert.equal(transactionsFor('D-SR-9').length, 0);
    await assertNoSendWorkflow('upload-refused');
  });

  test('Temporal unavailable at the start: 503, then the retry with the same key sends it', async () => {
    const temporalKey = 'temporal-down';
    const workflows = stack.env.client.workflow;
    workflows.start = async () => {
      Reflect.deleteProperty(workflows, 'start');
      throw new ServiceError('simulated: Temporal unavailable');
    };
    const failed = await post(requestBody('D-SR-10'), { key: temporalKey });
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.equal(failed.body.step, 'start the send workflow');
    assert.match(failed.body.message, /retry with the same Idempotency-Key/);
    assert.equal(transactionsFor('D-SR-10').length, 0, 'nothing created on Universign');

    const retried = await post(requestBody('D-SR-10'), { key: temporalKey });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(transactionsFor('D-SR-10').length, 1);
    await recordedInProgress(retried.body.transactionId);
  });
});
