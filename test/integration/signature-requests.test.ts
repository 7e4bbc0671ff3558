/**
 * POST /api/signature-requests and GET /api/signature-requests/:id on the real stack (Temporal dev
 * server, database, Universign simulator, worker, the app over loopback HTTP): the send as a
 * `sendForSignature` workflow, idempotent retries joining it or answering its outcome, step
 * retries that do not repeat a Universign write, 202 and progress past the API's wait, failures
 * naming their step, and validation that creates nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServiceError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sendWorkflowId } from '../../api/identify-signature-request';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId } from '../../workflows/messages';
import { SAGE_DOCUMENT_KEY } from '../../workflows/search-attributes';
import { SEND_STEP_FAILED, SEND_WORKFLOW_TYPE, sendProgressQuery } from '../../workflows/send-messages';
import { renderSimulatedPdf } from '../fakes/render-simulated-pdf';
import type { SimulatorRequestLogEntry } from '../fakes/universign-simulator';
import { type SimulatedTransaction, SimulatorError } from '../fakes/universign-simulator-store';
import { startTestStack, TEST_API_TOKEN, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  // Webhooks held back (never flushed): the API starts every workflow, none is adopted by a webhook.
  stack = await startTestStack({ webhooks: { reorder: true } });
});
after(() => stack?.close());

const PDF_BASE64 = Buffer.from(renderSimulatedPdf(['Devis for signature'])).toString('base64');
const DAY_MS = 24 * 60 * 60 * 1000;

interface Signer {
  email: string;
  fullName?: string;
  phone?: string;
}

function requestBody(number: string, overrides: Record<string, unknown> = {}) {
  return {
    sageDocument: { type: 'devis', number },
    document: { name: `devis-${number}.pdf`, contentBase64: PDF_BASE64 },
    signers: [
      { email: 'alice@client.example', fullName: 'Alice Martin', phone: '+33 6 12 34 56 78' },
      { email: 'bob@client.example', fullName: 'Bob Durand' },
      { email: 'carol@client.example' },
    ] as Signer[],
    ...overrides,
  };
}

async function post(body: unknown, { key, token = TEST_API_TOKEN, raw }: { key?: string; token?: string | null; raw?: string } = {}) {
  const response = await fetch(`${stack.apiUrl}/api/signature-requests`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Simulator transactions sent for one Sage document number. */
function transactionsFor(number: string): SimulatedTransaction[] {
  return stack.universign.store.list().filter((tx) => tx.metadata.sageDocumentNumber === number);
}

/** Simulator requests that write (GETs are the running workflows' syncs). */
function writeCount(): number {
  return stack.universign.requests().filter((entry) => entry.method !== 'GET').length;
}

/** The simulator requests made while `work` ran, GETs (the workflows' syncs) left out. */
async function writesDuring<T>(work: () => Promise<T>): Promise<{ result: T; writes: SimulatorRequestLogEntry[] }> {
  const start = stack.universign.requests().length;
  const result = await work();
  const writes = stack.universign
    .requests()
    .slice(start)
    .filter((entry) => entry.method !== 'GET');
  return { result, writes };
}

/** Waits for the transaction's workflow to record its first sync (EN_COURS). */
async function recordedInProgress(transactionId: string): Promise<void> {
  await waitUntil(
    async () => (await stack.db.prisma.signatureTransaction.findUnique({ where: { universignId: transactionId } }))?.status === 'EN_COURS',
    `the workflow of ${transactionId} recording EN_COURS`,
  );
}

/** The send workflow's id for an Idempotency-Key (readable keys are used as they are). */
const sendId = (key: string) => `send-key-${key}`;

function getRequest(requestId: string) {
  return stack.api('GET', `/api/signature-requests/${requestId}`);
}

/** No byte string of the workflow's history holds the PDF (raw or base64). */
async function assertNoPdfInHistory(workflowId: string): Promise<void> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = historyBytes(history);
  assert.ok(bytes.length > 0);
  for (const each of bytes) {
    assert.ok(!each.includes('%PDF-') && !each.includes(PDF_BASE64.slice(0, 40)), `no PDF in the history of ${workflowId}`);
  }
  assert.ok(!JSON.stringify(history).includes(PDF_BASE64.slice(0, 40)), `no base64 PDF in the history JSON of ${workflowId}`);
}

type Store = TestStack['universign']['store'];
type PatchableOperation = 'start' | 'addDocument' | 'addSignature' | 'addField' | 'uploadFile';

/** Swaps a simulator store operation (the HTTP router calls the store) until `restore` is called. */
function patchStore<K extends PatchableOperation>(name: K, make: (original: Store[K], restore: () => void) => Store[K]): void {
  const store = stack.universign.store;
  const original = store[name].bind(store) as Store[K];
  const restore = () => void Reflect.deleteProperty(store, name);
  (store as unknown as Record<string, unknown>)[name] = make(original, restore);
}

const serverError = () => new SimulatorError(500, 'internal_error', 'simulated crash');

/** Every byte string in a workflow history, decoded: payloads, memos, summaries. */
function historyBytes(value: unknown, found: string[] = []): string[] {
  if (value instanceof Uint8Array) found.push(Buffer.from(value).toString('latin1'));
  else if (Array.isArray(value)) for (const each of value) historyBytes(each, found);
  else if (value !== null && typeof value === 'object') for (const each of Object.values(value)) historyBytes(each, found);
  return found;
}

async function assertNoSendWorkflow(key: string): Promise<void> {
  await assert.rejects(
    stack.env.client.workflow.getHandle(sendWorkflowId(key)).describe(),
    WorkflowNotFoundError,
    `no send workflow for ${key}`,
  );
}

/** A store operation that answers 500 the next `times` calls, having done the work when `done` (a lost answer). */
function failNext(name: 'start' | 'addSignature' | 'addDocument', times: number, { done = false } = {}): void {
  let left = times;
  patchStore(
    name,
    (original, restore) =>
      ((...args: unknown[]) => {
        left -= 1;
        if (left <= 0) restore();
        if (done) (original as (...each: unknown[]) => unknown)(...args);
        throw serverError();
      }) as never,
  );
}

describe('POST /api/signature-requests', () => {
  const key = 'order-D-SR-1-attempt';
  const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const firstBody = requestBody('D-SR-1', { language: 'en', expiresAt });
  let first: { transactionId: string; workflowId: string; status: string };

  test('201: the send workflow creates, fills and starts one transaction, then starts its workflow as a child that outlives it', async () => {
    const { result: response, writes } = await writesDuring(() => post(firstBody, { key }));
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.headers.get('idempotent-replayed'), null);
    first = response.body;
    assert.match(first.transactionId, /^tx_/);
    assert.deepEqual(first, {
      transactionId: first.transactionId,
      workflowId: signatureWorkflowId(first.transactionId),
      status: 'EN_COURS',
    });

    const [tx, ...others] = transactionsFor('D-SR-1');
    assert.ok(tx);
    assert.equal(others.length, 0, 'exactly one transaction');
    assert.equal(tx.id, first.transactionId);
    assert.equal(tx.state, 'started');
    assert.equal(tx.name, 'Devis D-SR-1');
    assert.equal(tx.language, 'en');
    assert.equal(tx.expiresAt, expiresAt);
    assert.deepEqual(tx.metadata, { sageDocumentType: 'devis', sageDocumentNumber: 'D-SR-1', requestId: sendId(key) });
    assert.equal(tx.documents.length, 1);
    const [document] = tx.documents;
    assert.equal(document?.name, 'devis-D-SR-1.pdf');
    assert.equal(document?.fields.length, 3, 'one signature field per signer');
    assert.deepEqual(tx.signatures.map((signature) => signature.signer).sort(), [
      'alice@client.example',
      'bob@client.example',
      'carol@client.example',
    ]);
    assert.deepEqual(tx.signatures.map((signature) => signature.field).sort(), document?.fields.map((field) => field.id).sort());
    assert.deepEqual(
      tx.participants.map(({ email, fullName, phoneNumber }) => [email, fullName, phoneNumber]),
      [
        ['alice@client.example', 'Alice Martin', '+33612345678'],
        ['bob@client.example', 'Bob Durand', null],
        ['carol@client.example', null, null],
      ],
    );
    assert.equal(tx.actions.length, 3, 'one signing action per signer once started');

    // The wire format: form-encoded everywhere, multipart only to upload the PDF (the API's own call).
    assert.deepEqual(
      writes.map((entry) => `${entry.method} ${entry.path.replace(first.transactionId, '{tx}').replace(/(doc|fld)_[0-9a-f]+/g, '$1_…')}`),
      [
        'POST /v1/files',
        'POST /v1/transactions',
        'POST /v1/transactions/{tx}/documents',
        ...['alice', 'bob', 'carol'].flatMap(() => [
          'POST /v1/transactions/{tx}/documents/doc_…/fields',
          'POST /v1/transactions/{tx}/signatures',
        ]),
        'POST /v1/transactions/{tx}/participants',
        'POST /v1/transactions/{tx}/participants',
        'POST /v1/transactions/{tx}/start',
      ],
    );
    for (const entry of writes) {
      assert.ok(entry.authValid, `${entry.path} authenticated`);
      if (entry.path === '/v1/files') {
        assert.match(entry.contentType ?? '', /^multipart\/form-data/);
        assert.deepEqual(
          entry.files.map(({ field, name, type }) => [field, name, type]),
          [['file', 'devis-D-SR-1.pdf', 'application/pdf']],
        );
      } else {
        assert.match(entry.contentType ?? '', /^application\/x-www-form-urlencoded/, entry.path);
      }
    }

    // The send: its own workflow, completed with the answer, searchable by Sage document.
    const send = stack.env.client.workflow.getHandle(sendId(key));
    const sendDescription = await send.describe();
    assert.equal(sendDescription.type, SEND_WORKFLOW_TYPE);
    assert.equal(sendDescription.status.name, 'COMPLETED');
    assert.equal(sendDescription.typedSearchAttributes.get(SAGE_DOCUMENT_KEY), 'devis:D-SR-1');
    assert.match((await sendDescription.staticSummary()) ?? '', /Sage devis D-SR-1/);
    assert.deepEqual(await send.result(), first);
    const progress = await send.query(sendProgressQuery);
    assert.equal(progress.step, null);
    assert.equal(progress.error, null);
    assert.deepEqual(progress.result, first);
    assert.equal(progress.stepsDone.at(-1), 'start the workflow');

    // The transaction's workflow: the send's child, still running after the send completed (ABANDON).
    const handle = stack.env.client.workflow.getHandle(first.workflowId);
    const description = await handle.describe();
    assert.equal(description.type, SIGNATURE_WORKFLOW_TYPE);
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.parentExecution?.workflowId, sendId(key));
    assert.equal(description.taskQueue, stack.taskQueue);
    assert.equal(description.typedSearchAttributes.get(SAGE_DOCUMENT_KEY), 'devis:D-SR-1');
    assert.equal(await description.staticSummary(), `Signature Universign ${first.transactionId} — Sage devis D-SR-1`);
    const history = await handle.fetchHistory();
    const startInput = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    assert.ok(startInput);
    assert.deepEqual(JSON.parse(Buffer.from(startInput).toString('utf8')), {
      transactionId: first.transactionId,
      sageDocument: { type: 'devis', number: 'D-SR-1' },
      poll: { minSeconds: 3600, maxSeconds: 3600 },
    });

    // The PDF went to Universign only: in neither workflow's history.
    await assertNoPdfInHistory(sendId(key));
    await assertNoPdfInHistory(first.workflowId);

    await recordedInProgress(first.transactionId);
    const recorded = await stack.db.prisma.signatureTransaction.findUnique({ where: { universignId: first.transactionId } });
    assert.equal(recorded?.sageDocumentType, 'devis');
    assert.equal(recorded?.sageDocumentNumber, 'D-SR-1');

    const view = await getRequest(sendId(key));
    assert.equal(view.status, 200);
    assert.deepEqual(view.body, {
      requestId: sendId(key),
      sageDocument: { type: 'devis', number: 'D-SR-1' },
      status: 'sent',
      step: null,
      stepsDone: null,
      transactionId: first.transactionId,
      workflowId: first.workflowId,
      error: null,
    });
  });

  test('the same Idempotency-Key again answers the first result and sends nothing (not even the PDF)', async () => {
    assert.ok(first, 'needs the first test');
    const { result: response, writes } = await writesDuring(() => post(structuredClone(firstBody), { key }));
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(response.body, first);
    assert.deepEqual(writes, []);
    assert.equal(transactionsFor('D-SR-1').length, 1);
  });

  test('the same Idempotency-Key with another body is refused with 422', async () => {
    assert.ok(first, 'needs the first test');
    const { result: response, writes } = await writesDuring(() =>
      post({ ...firstBody, signers: [{ email: 'mallory@client.example' }] }, { key }),
    );
    assert.equal(response.status, 422);
    assert.match(response.body.message, /Idempotency-Key was already used with a different request body/);
    assert.deepEqual(writes, []);
    assert.equal(transactionsFor('D-SR-1').length, 1);
  });

  test('without an Idempotency-Key: a send workflow of its own, named on the transaction', async () => {
    const response = await post(requestBody('D-SR-2', { signers: [{ email: 'dave@client.example' }] }));
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [tx] = transactionsFor('D-SR-2');
    assert.equal(tx?.state, 'started');
    const requestId = tx?.metadata.requestId ?? '';
    assert.match(requestId, /^send-[0-9a-f-]{36}$/);
    assert.equal((await getRequest(requestId)).body.transactionId, response.body.transactionId);
    await recordedInProgress(response.body.transactionId);
  });

  test('a retry while the send runs joins it: both answer the same transaction, sent once', async () => {
    const joinKey = 'join-in-progress';
    // Two 500s on start: the send waits about 3 s in its step's retries.
    failNext('start', 2);
    const uploadsBefore = stack.universign.requests().filter((entry) => entry.path === '/v1/files').length;
    const firstCall = post(requestBody('D-SR-3'), { key: joinKey });
    await waitUntil(async () => {
      const view = await getRequest(sendId(joinKey));
      return view.status === 200 && view.body.step === 'start the transaction';
    }, 'the send to reach its start step');
    const running = await getRequest(sendId(joinKey));
    assert.equal(running.body.status, 'running');
    assert.ok(running.body.stepsDone.includes('add the document'));
    const secondCall = post(requestBody('D-SR-3'), { key: joinKey });
    const [one, two] = await Promise.all([firstCall, secondCall]);
    assert.equal(one.status, 201, JSON.stringify(one.body));
    assert.equal(two.status, 201, JSON.stringify(two.body));
    assert.deepEqual(two.body, one.body);
    assert.equal(one.headers.get('idempotent-replayed'), null);
    assert.equal(two.headers.get('idempotent-replayed'), 'true');
    assert.equal(stack.universign.requests().filter((entry) => entry.path === '/v1/files').length, uploadsBefore + 1, 'one upload');
    assert.equal(transactionsFor('D-SR-3').length, 1);
    assert.equal(transactionsFor('D-SR-3')[0]?.state, 'started');
    await recordedInProgress(one.body.transactionId);
  });

  test('past the wait: 202 with the request id; GET reports the step, then the result; a retry answers it', async () => {
    const slowKey = 'slower-than-the-wait';
    stack.app.deps.settings.sendWaitMs = 300;
    try {
      failNext('start', 3);
      const accepted = await post(requestBody('D-SR-4'), { key: slowKey });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      assert.equal(accepted.body.requestId, sendId(slowKey));
      assert.equal(accepted.body.status, 'running');
      assert.equal(accepted.headers.get('location'), `/api/signature-requests/${sendId(slowKey)}`);

      const progress = await getRequest(sendId(slowKey));
      assert.equal(progress.status, 200);
      assert.equal(progress.body.status, 'running');
      assert.ok(progress.body.step, 'names the step running');
      assert.equal(progress.body.error, null);

      await waitUntil(async () => (await getRequest(sendId(slowKey))).body.status === 'sent', 'the send to finish');
      const done = (await getRequest(sendId(slowKey))).body;
      assert.equal(done.transactionId, transactionsFor('D-SR-4')[0]?.id);
      assert.equal(done.workflowId, signatureWorkflowId(done.transactionId));

      const retried = await post(requestBody('D-SR-4'), { key: slowKey });
      assert.equal(retried.status, 201);
      assert.deepEqual(retried.body, { transactionId: done.transactionId, workflowId: done.workflowId, status: 'EN_COURS' });
      assert.equal(transactionsFor('D-SR-4').length, 1);
    } finally {
      stack.app.deps.settings.sendWaitMs = undefined;
    }
  });

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

  test('invalid requests are 400 with a clear message and create nothing', async () => {
    const manySigners = Array.from({ length: 51 }, (_, index) => ({ email: `signer${index}@client.example` }));
    const cases: Array<[string, unknown, RegExp, string?]> = [
      ['bad e-mail', requestBody('D-BAD', { signers: [{ email: 'not-an-email' }] }), /email/],
      ['no signer', requestBody('D-BAD', { signers: [] }), /signers/],
      ['51 signers', requestBody('D-BAD', { signers: manySigners }), /signers.*50/],
      [
        'duplicate signer',
        requestBody('D-BAD', { signers: [{ email: 'alice@client.example' }, { email: 'Alice@Client.example' }] }),
        /listed twice/,
      ],
      [
        'not a PDF',
        requestBody('D-BAD', { document: { name: 'devis.pdf', contentBase64: Buffer.from('hello, not a pdf').toString('base64') } }),
        /not a PDF/,
      ],
      [
        'name without .pdf',
        requestBody('D-BAD', { document: { name: 'devis.docx', contentBase64: PDF_BASE64 } }),
        /document\.name: must end with \.pdf/,
      ],
      [
        'expiresAt in the past',
        requestBody('D-BAD', { expiresAt: new Date(Date.now() - DAY_MS).toISOString() }),
        /expiresAt is in the past/,
      ],
      ['expiresAt beyond 90 days', requestBody('D-BAD', { expiresAt: new Date(Date.now() + 91 * DAY_MS).toISOString() }), /90 days/],
      ['bad base64', requestBody('D-BAD', { document: { name: 'devis.pdf', contentBase64: 'JVBERi0x%%not*base64' } }), /not valid base64/],
      ['colon in the Sage number', requestBody('D:BAD'), /sageDocument\.number: must not contain ':'/],
      ['empty Sage type', requestBody('D-BAD', { sageDocument: { type: ' ', number: 'D-BAD' } }), /sageDocument\.type: must not be empty/],
      ['Sage number too long', requestBody('D'.repeat(51)), /number/],
      ['unknown language', requestBody('D-BAD', { language: 'pt' }), /language/],
      [
        'bad phone',
        requestBody('D-BAD', { signers: [{ email: 'alice@client.example', phone: '06 12' }] }),
        /phone: must be an international number/,
      ],
      ['unknown field', requestBody('D-BAD', { expireAt: '2099-01-01T00:00:00Z' }), /Unrecognized key.*expireAt/],
      ['no document', { sageDocument: { type: 'devis', number: 'D-BAD' }, signers: [{ email: 'alice@client.example' }] }, /document/],
      ['Idempotency-Key too long', requestBody('D-BAD'), /idempotency-key/, 'k'.repeat(201)],
    ];
    const writesBefore = writeCount();
    for (const [what, body, message, badKey] of cases) {
      const response = await post(body, { key: badKey ?? `invalid-${what}` });
      assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error, 'Bad Request', what);
      assert.match(response.body.message, message, what);
    }
    const malformed = await post(null, { key: 'invalid-json', raw: '{"sageDocument":' });
    assert.equal(malformed.status, 400);
    assert.equal(writeCount(), writesBefore, 'no Universign call');
    for (const [what] of cases) await assertNoSendWorkflow(`invalid-${what}`);
  });

  test('too large is 413, without a token 401; neither creates anything', async () => {
    const writesBefore = writeCount();

    const overLimit = await post(requestBody('D-BIG', { document: { name: 'big.pdf', contentBase64: 'A'.repeat(29 * 1024 * 1024) } }));
    assert.equal(overLimit.status, 413);

    // Under the body limit, yet more than 20 MB once decoded.
    const bigPdf = Buffer.alloc(20 * 1024 * 1024 + 512 * 1024, 0x20);
    bigPdf.write('%PDF-1.4\n', 'latin1');
    const overPdfLimit = await post(requestBody('D-BIG', { document: { name: 'big.pdf', contentBase64: bigPdf.toString('base64') } }));
    assert.equal(overPdfLimit.status, 413);
    assert.match(overPdfLimit.body.message, /at most 20 MB/);

    const anonymous = await post(requestBody('D-ANON'), { token: null });
    assert.equal(anonymous.status, 401);
    const wrongToken = await post(requestBody('D-ANON'), { token: 'not-the-token-at-all' });
    assert.equal(wrongToken.status, 401);

    assert.equal(writeCount(), writesBefore);
  });

  test('the route is in the OpenAPI document', async () => {
    const response = await fetch(`${stack.apiUrl}/docs/json`);
    const spec = (await response.json()) as {
      paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
    };
    const operation = spec.paths['/api/signature-requests']?.post;
    assert.ok(operation?.requestBody, 'request body documented');
    assert.ok(operation.responses?.['201'] && operation.responses['202'] && operation.responses['422'] && operation.responses['503']);
    assert.ok(spec.paths['/api/signature-requests/{id}'], 'the progress route documented');
  });
});
