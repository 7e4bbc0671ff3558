/**
 * POST /api/signature-requests and GET /api/signature-requests/:id on the real stack (Temporal dev
 * server, database, Universign simulator, worker, the app over loopback HTTP): the send as a
 * `sendForSignature` workflow starting the transaction's as its child, the PDF in no history,
 * idempotent retries answering the first result or joining the run in progress, 202 and progress
 * past the API's wait, and validation that creates nothing. Failures: signature-request-failures.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId } from '../../workflows/messages';
import { SAGE_DOCUMENT_KEY } from '../../workflows/search-attributes';
import { SEND_WORKFLOW_TYPE, sendProgressQuery } from '../../workflows/send-messages';
import { PDF_BASE64, signatureRequestHelpers } from '../support/signature-request-helpers';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  // Webhooks held back (never flushed): the send starts every transaction's workflow, none is adopted by a webhook.
  stack = await startTestStack({ webhooks: { reorder: true } });
});
after(() => stack?.close());

const DAY_MS = 24 * 60 * 60 * 1000;
const {
  requestBody,
  post,
  transactionsFor,
  writeCount,
  writesDuring,
  recordedInProgress,
  sendId,
  getRequest,
  assertNoPdfInHistory,
  assertNoSendWorkflow,
  failNext,
} = signatureRequestHelpers(() => stack);

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
