/**
 * POST /api/signature-requests on the real stack (Temporal dev server, database, Universign
 * simulator, worker, the app over loopback HTTP): sending, idempotent replays, resuming after a
 * failure half way, and validation that creates nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId } from '../../workflows/messages';
import { SAGE_DOCUMENT_KEY } from '../../workflows/search-attributes';
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

function requestRow(key: string) {
  return stack.db.prisma.signatureRequest.findUnique({ where: { idempotencyKey: key } });
}

type Store = TestStack['universign']['store'];
type PatchableOperation = 'start' | 'addDocument' | 'addSignature';

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

describe('POST /api/signature-requests', () => {
  const key = 'order-D-SR-1-attempt';
  const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const firstBody = requestBody('D-SR-1', { language: 'en', expiresAt });
  let first: { transactionId: string; workflowId: string; status: string };

  test('a valid request creates, fills and starts one Universign transaction and its workflow', async () => {
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
    const row = await requestRow(key);
    assert.ok(row);
    assert.deepEqual(tx.metadata, { sageDocumentType: 'devis', sageDocumentNumber: 'D-SR-1', requestId: row.id });

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

    // The wire format: form-encoded everywhere, multipart only to upload the PDF.
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
    const created = writes.find((entry) => entry.path === '/v1/transactions');
    assert.deepEqual(
      created?.fields.filter(([name]) => name.startsWith('metadata[')),
      [
        ['metadata[sageDocumentType]', 'devis'],
        ['metadata[sageDocumentNumber]', 'D-SR-1'],
        ['metadata[requestId]', row.id],
      ],
    );

    // The workflow runs with the Sage document, and the PDF is nowhere in its history.
    const handle = stack.env.client.workflow.getHandle(first.workflowId);
    const description = await handle.describe();
    assert.equal(description.type, SIGNATURE_WORKFLOW_TYPE);
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
    for (const bytes of historyBytes(history)) {
      assert.ok(!bytes.includes('%PDF-') && !bytes.includes(PDF_BASE64.slice(0, 40)), 'no PDF in the workflow history');
    }

    await recordedInProgress(first.transactionId);
    const recorded = await stack.db.prisma.signatureTransaction.findUnique({ where: { universignId: first.transactionId } });
    assert.equal(recorded?.sageDocumentType, 'devis');
    assert.equal(recorded?.sageDocumentNumber, 'D-SR-1');

    const sent = await requestRow(key);
    assert.equal(sent?.state, 'sent');
    assert.equal(sent?.transactionId, first.transactionId);
    assert.equal(sent?.workflowId, first.workflowId);
    assert.equal(sent?.lockedUntil, null);
    assert.equal((sent?.progress as { started?: boolean } | undefined)?.started, true);
  });

  test('the same Idempotency-Key again replays the first answer and sends nothing', async () => {
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
    const before = await stack.db.prisma.signatureRequest.count();
    const { result: response, writes } = await writesDuring(() =>
      post({ ...firstBody, signers: [{ email: 'mallory@client.example' }] }, { key }),
    );
    assert.equal(response.status, 422);
    assert.match(response.body.message, /Idempotency-Key was already used with a different request body/);
    assert.deepEqual(writes, []);
    assert.equal(await stack.db.prisma.signatureRequest.count(), before);
    assert.equal(transactionsFor('D-SR-1').length, 1);
  });

  test('without an Idempotency-Key: sent, recorded on a row of its own', async () => {
    const response = await post(requestBody('D-SR-2', { signers: [{ email: 'dave@client.example' }] }));
    assert.equal(response.status, 201);
    const rows = await stack.db.prisma.signatureRequest.findMany({ where: { sageDocumentNumber: 'D-SR-2' } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.idempotencyKey, null);
    assert.equal(rows[0]?.state, 'sent');
    assert.equal(rows[0]?.transactionId, response.body.transactionId);
    assert.equal(transactionsFor('D-SR-2')[0]?.state, 'started');
    await recordedInProgress(response.body.transactionId);
  });

  test('a 500 on start: 503, then the retry with the same key starts the same transaction', async () => {
    const crashKey = 'crash-on-start';
    patchStore('start', (_original, restore) => () => {
      restore();
      throw serverError();
    });
    const failed = await post(requestBody('D-SR-3'), { key: crashKey });
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.match(failed.body.message, /Universign is unavailable \(could not start the transaction/);
    assert.match(failed.body.message, /retry with the same Idempotency-Key/);
    assert.equal(failed.body.step, 'start the transaction');
    const [draft, ...others] = transactionsFor('D-SR-3');
    assert.equal(others.length, 0);
    assert.equal(draft?.state, 'draft');
    assert.equal(draft?.signatures.length, 3);
    assert.equal(failed.body.transactionId, draft?.id);

    const pending = await requestRow(crashKey);
    assert.equal(pending?.state, 'pending');
    assert.equal(pending?.lockedUntil, null, 'the lock is released');
    assert.equal(pending?.transactionId, draft?.id);
    assert.match(pending?.lastError ?? '', /start the transaction/);

    const { result: retried, writes } = await writesDuring(() => post(requestBody('D-SR-3'), { key: crashKey }));
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.headers.get('idempotent-replayed'), null);
    assert.equal(retried.body.transactionId, draft?.id, 'the same transaction');
    assert.deepEqual(
      writes.map((entry) => entry.path),
      [`/v1/transactions/${draft?.id}/start`],
      'only the missing step',
    );
    assert.equal(transactionsFor('D-SR-3').length, 1);
    assert.equal(transactionsFor('D-SR-3')[0]?.state, 'started');
    assert.equal((await requestRow(crashKey))?.state, 'sent');
    await recordedInProgress(retried.body.transactionId);
  });

  test('a start done on Universign whose answer was lost: the retry reads the transaction and does not start it again', async () => {
    const lostKey = 'lost-start-answer';
    patchStore('start', (original, restore) => (transactionId) => {
      restore();
      original(transactionId);
      throw serverError();
    });
    const failed = await post(requestBody('D-SR-4'), { key: lostKey });
    assert.equal(failed.status, 503);
    const [tx] = transactionsFor('D-SR-4');
    assert.equal(tx?.state, 'started');

    const start = stack.universign.requests().length;
    const retried = await post(requestBody('D-SR-4'), { key: lostKey });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.transactionId, tx?.id);
    const calls = stack.universign
      .requests()
      .slice(start)
      .filter((entry) => entry.path.startsWith(`/v1/transactions/${tx?.id}`));
    assert.equal(calls[0]?.method, 'GET', 'the retry reads the transaction first');
    assert.ok(!calls.some((entry) => entry.method === 'POST'), 'nothing written again');
    assert.equal(transactionsFor('D-SR-4').length, 1);
    await recordedInProgress(retried.body.transactionId);
  });

  test('a signature added on Universign whose answer was lost is not added twice', async () => {
    const lostKey = 'lost-signature-answer';
    let calls = 0;
    patchStore('addSignature', (original, restore) => (transactionId, signer, field) => {
      calls += 1;
      const signature = original(transactionId, signer, field);
      if (calls < 2) return signature;
      restore();
      throw serverError();
    });
    const failed = await post(requestBody('D-SR-5'), { key: lostKey });
    assert.equal(failed.status, 503);
    assert.equal(failed.body.step, 'add the signature of bob@client.example');

    const retried = await post(requestBody('D-SR-5'), { key: lostKey });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    const [tx, ...others] = transactionsFor('D-SR-5');
    assert.equal(others.length, 0);
    assert.equal(tx?.id, retried.body.transactionId);
    assert.equal(tx?.state, 'started');
    assert.deepEqual(tx?.signatures.map((signature) => signature.signer).sort(), [
      'alice@client.example',
      'bob@client.example',
      'carol@client.example',
    ]);
    await recordedInProgress(retried.body.transactionId);
  });

  test('a Universign 4xx: 502 naming the step; the row keeps its progress and a retry resumes', async () => {
    const refusedKey = 'document-refused';
    patchStore('addDocument', (_original, restore) => () => {
      restore();
      throw new SimulatorError(400, 'invalid_request', 'document rejected');
    });
    const failed = await post(requestBody('D-SR-6'), { key: refusedKey });
    assert.equal(failed.status, 502);
    assert.equal(failed.body.step, 'add the document');
    assert.match(failed.body.message, /Universign refused to add the document: .*HTTP 400.*document rejected/);
    assert.doesNotMatch(JSON.stringify(failed.body), /stack-universign-key|test-token/);
    const kept = await requestRow(refusedKey);
    assert.ok(kept?.fileId && kept.transactionId);
    assert.equal(kept.documentId, null);
    assert.equal(kept.lockedUntil, null);

    const { result: retried, writes } = await writesDuring(() => post(requestBody('D-SR-6'), { key: refusedKey }));
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.transactionId, kept.transactionId);
    assert.ok(!writes.some((entry) => entry.path === '/v1/files' || entry.path === '/v1/transactions'), 'no new upload or transaction');
    assert.equal(transactionsFor('D-SR-6').length, 1);
    assert.equal(transactionsFor('D-SR-6')[0]?.documents.length, 1);
    await recordedInProgress(retried.body.transactionId);
  });

  test('Temporal unavailable once the transaction is started: 503, then the retry only starts the workflow', async () => {
    const temporalKey = 'temporal-down';
    const workflows = stack.env.client.workflow;
    workflows.start = async () => {
      Reflect.deleteProperty(workflows, 'start');
      throw new ServiceError('simulated: Temporal unavailable');
    };
    const failed = await post(requestBody('D-SR-8'), { key: temporalKey });
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.equal(failed.body.step, 'start the workflow');
    assert.match(failed.body.message, /started on Universign but its workflow could not be started.*retry with the same Idempotency-Key/);
    const [tx] = transactionsFor('D-SR-8');
    assert.equal(tx?.state, 'started');

    const { result: retried, writes } = await writesDuring(() => post(requestBody('D-SR-8'), { key: temporalKey }));
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.body.transactionId, tx?.id);
    assert.deepEqual(writes, [], 'nothing sent to Universign again');
    await recordedInProgress(retried.body.transactionId);
  });

  test('a request held by another attempt is 409; once its lock has expired, a retry takes over', async () => {
    const heldKey = 'held-by-another-attempt';
    patchStore('start', (_original, restore) => () => {
      restore();
      throw serverError();
    });
    assert.equal((await post(requestBody('D-SR-7'), { key: heldKey })).status, 503);
    await stack.db.prisma.signatureRequest.update({
      where: { idempotencyKey: heldKey },
      data: { lockedUntil: new Date(Date.now() + 60_000) },
    });
    const { result: busy, writes } = await writesDuring(() => post(requestBody('D-SR-7'), { key: heldKey }));
    assert.equal(busy.status, 409);
    assert.match(busy.body.message, /in progress.*retry/);
    assert.deepEqual(writes, []);

    await stack.db.prisma.signatureRequest.update({
      where: { idempotencyKey: heldKey },
      data: { lockedUntil: new Date(Date.now() - 1_000) },
    });
    const resumed = await post(requestBody('D-SR-7'), { key: heldKey });
    assert.equal(resumed.status, 201);
    assert.equal(resumed.body.transactionId, transactionsFor('D-SR-7')[0]?.id);
    assert.equal(transactionsFor('D-SR-7').length, 1);
    await recordedInProgress(resumed.body.transactionId);
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
    const rowsBefore = await stack.db.prisma.signatureRequest.count();
    for (const [what, body, message, badKey] of cases) {
      const response = await post(body, { key: badKey ?? `invalid-${what}` });
      assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.error, 'Bad Request', what);
      assert.match(response.body.message, message, what);
    }
    const malformed = await post(null, { key: 'invalid-json', raw: '{"sageDocument":' });
    assert.equal(malformed.status, 400);
    assert.equal(writeCount(), writesBefore, 'no Universign call');
    assert.equal(await stack.db.prisma.signatureRequest.count(), rowsBefore, 'no row');
  });

  test('too large is 413, without a token 401; neither creates anything', async () => {
    const writesBefore = writeCount();
    const rowsBefore = await stack.db.prisma.signatureRequest.count();

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
    assert.equal(await stack.db.prisma.signatureRequest.count(), rowsBefore);
  });

  test('the route is in the OpenAPI document', async () => {
    const response = await fetch(`${stack.apiUrl}/docs/json`);
    const spec = (await response.json()) as {
      paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
    };
    const operation = spec.paths['/api/signature-requests']?.post;
    assert.ok(operation?.requestBody, 'request body documented');
    assert.ok(operation.responses?.['201'] && operation.responses['422'] && operation.responses['503']);
  });
});
