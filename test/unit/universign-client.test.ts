import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createUniversignClient } from '../../activities/universign-client';
import {
  TransactionNotFoundError,
  toActivityFailure,
  UniversignAuthError,
  UniversignBadResponseError,
  UniversignUnavailableError,
} from '../../activities/universign-errors';
import { renderSimulatedPdf } from '../../simulators/render-simulated-pdf';
import { signedPdfFor, startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';

const API_KEY = 'test-key-5d1f0c';
const SIGNER = { email: 'client@example.com', fullName: 'Claire Client' };

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('universign client against the simulator', () => {
  let simulator: UniversignSimulator;

  before(async () => {
    simulator = await startUniversignSimulator({ apiKey: API_KEY });
  });
  after(async () => {
    await simulator.close();
  });

  const client = (overrides: { apiKey?: string; timeoutMs?: number; fetch?: typeof fetch } = {}) =>
    createUniversignClient({ baseUrl: simulator.url, apiKey: API_KEY, ...overrides });

  test('sends HTTP Basic auth with the key as user and an empty password', async () => {
    const { id } = simulator.createTransaction({ signers: [SIGNER] });
    const seen: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '');
      return fetch(input, init);
    };
    simulator.clearRequests();
    const raw = await client({ fetch: recordingFetch }).getTransaction(id);
    assert.equal(raw.id, id);
    assert.deepEqual(seen, [`Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`]);
    const [request] = simulator.requests();
    assert.equal(request?.path, `/v1/transactions/${id}`);
    assert.equal(request?.authScheme, 'basic');
    assert.equal(request?.authValid, true);
    assert.doesNotMatch(JSON.stringify(simulator.requests()), new RegExp(API_KEY));
  });

  test('a wrong key is an auth error whose message does not leak the key', async () => {
    const { id } = simulator.createTransaction({ signers: [SIGNER] });
    const wrongKey = 'wrong-key-77aa';
    await assert.rejects(client({ apiKey: wrongKey }).getTransaction(id), (err: unknown) => {
      assert.ok(err instanceof UniversignAuthError);
      assert.equal(err.status, 401);
      assert.match(err.message, /GET \/transactions\/tx_\w+ → HTTP 401/);
      assert.doesNotMatch(err.message, new RegExp(wrongKey));
      return true;
    });
    assert.equal(simulator.requests().at(-1)?.authValid, false);
  });

  test('403 is an auth error', async () => {
    const { id } = simulator.createTransaction({ signers: [SIGNER] });
    simulator.failNext(id, 403, 1);
    await assert.rejects(client().getTransaction(id), (err: unknown) => err instanceof UniversignAuthError && err.status === 403);
  });

  test('an unknown id is TransactionNotFoundError, and ids are encoded in paths', async () => {
    simulator.clearRequests();
    await assert.rejects(client().getTransaction('tx_missing/../x'), (err: unknown) => {
      assert.ok(err instanceof TransactionNotFoundError);
      assert.equal(err.status, 404);
      assert.match(err.message, /not_found/);
      return true;
    });
    assert.equal(simulator.requests()[0]?.path, '/v1/transactions/tx_missing%2F..%2Fx');
  });

  for (const status of [429, 500, 503]) {
    test(`${status} is UniversignUnavailableError, and the call works once the failure is over`, async () => {
      const { id } = simulator.createTransaction({ signers: [SIGNER] });
      simulator.failNext(id, status, 2);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        await assert.rejects(
          client().getTransaction(id),
          (err: unknown) => err instanceof UniversignUnavailableError && err.status === status,
        );
      }
      assert.equal((await client().getTransaction(id)).id, id);
    });
  }

  test('other 4xx are bad responses (start without a signature is refused)', async () => {
    const { id } = simulator.createTransaction({ state: 'draft' });
    await assert.rejects(client().startTransaction(id), (err: unknown) => {
      assert.ok(err instanceof UniversignBadResponseError);
      assert.equal(err.status, 400);
      assert.match(err.message, /POST \/transactions\/tx_\w+\/start → HTTP 400: .*signature/);
      return true;
    });
  });

  test('a 2xx body that is not a JSON object is a bad response; echoed keys are redacted', async () => {
    const fakeFetch =
      (body: string, status = 200): typeof fetch =>
      async () =>
        new Response(body, { status });
    await assert.rejects(
      client({ fetch: fakeFetch('<html>maintenance</html>') }).getTransaction('tx_1'),
      (err: unknown) => err instanceof UniversignBadResponseError && err.status === 200 && /not JSON/.test(err.message),
    );
    await assert.rejects(client({ fetch: fakeFetch('[1,2]') }).getTransaction('tx_1'), UniversignBadResponseError);
    await assert.rejects(
      client({ fetch: fakeFetch('{"object":"file"}') }).uploadFile({
        name: 'a.pdf',
        content: new Uint8Array([1]),
        contentType: 'application/pdf',
      }),
      (err: unknown) => err instanceof UniversignBadResponseError && /no id/.test(err.message),
    );
    await assert.rejects(client({ fetch: fakeFetch(`{"error":"bad key ${API_KEY}"}`, 422) }).getTransaction('tx_1'), (err: unknown) => {
      assert.ok(err instanceof UniversignBadResponseError);
      assert.doesNotMatch(err.message, new RegExp(API_KEY));
      assert.match(err.message, /\[redacted\]/);
      return true;
    });
  });

  test('a server that never answers times out as UniversignUnavailableError', async () => {
    const hanging = createServer(() => {
      // Never answers: the client's own timeout must end the call.
    });
    const port = await listen(hanging);
    try {
      const started = Date.now();
      const hangingClient = createUniversignClient({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY, timeoutMs: 150 });
      await assert.rejects(hangingClient.getTransaction('tx_1'), (err: unknown) => {
        assert.ok(err instanceof UniversignUnavailableError);
        assert.equal(err.status, undefined);
        assert.match(err.message, /no answer within 150 ms/);
        return true;
      });
      assert.ok(Date.now() - started < 5000);
    } finally {
      await closeServer(hanging);
    }
  });

  test('connection refused is UniversignUnavailableError', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await closeServer(closed);
    const refusedClient = createUniversignClient({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY, timeoutMs: 2000 });
    await assert.rejects(refusedClient.getTransaction('tx_1'), (err: unknown) => {
      assert.ok(err instanceof UniversignUnavailableError);
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
  });

  test('the full send sequence works, form-encoded, then the signed PDF and evidence download', async () => {
    const universign = client();
    simulator.clearRequests();
    const pdf = renderSimulatedPdf(['Devis D000123']);
    const file = await universign.uploadFile({ name: 'devis-D000123.pdf', content: pdf, contentType: 'application/pdf' });
    assert.match(file.id, /^file_/);
    const created = await universign.createTransaction({
      name: 'Devis D000123',
      language: 'fr',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      metadata: { sageType: 'devis', sageNumber: 'D000123' },
    });
    assert.match(created.id, /^tx_/);
    assert.equal(created.state, 'draft');
    const document = await universign.addDocument(created.id, file.id, 'Devis D000123');
    assert.match(document.id, /^doc_/);
    const field = await universign.addSignatureField(created.id, document.id, { page: 1, x: 100, y: 650 });
    assert.match(field.id, /^fld_/);
    await universign.addSignature(created.id, { signer: SIGNER.email, field: field.id });
    await universign.upsertParticipant(created.id, { email: SIGNER.email, fullName: SIGNER.fullName, phoneNumber: '+33600000000' });
    const started = await universign.startTransaction(created.id);
    assert.equal(started.state, 'started');
    assert.equal(typeof started.started_at, 'string');

    const requests = simulator.requests();
    assert.deepEqual(
      requests.map((request) => `${request.method} ${request.path.replaceAll(created.id, ':tx').replaceAll(document.id, ':doc')}`),
      [
        'POST /v1/files',
        'POST /v1/transactions',
        'POST /v1/transactions/:tx/documents',
        'POST /v1/transactions/:tx/documents/:doc/fields',
        'POST /v1/transactions/:tx/signatures',
        'POST /v1/transactions/:tx/participants',
        'POST /v1/transactions/:tx/start',
      ],
    );
    assert.ok(requests.every((request) => request.authValid && request.status === 200));
    assert.match(requests[0]?.contentType ?? '', /^multipart\/form-data; boundary=/);
    assert.deepEqual(requests[0]?.files, [{ field: 'file', name: 'devis-D000123.pdf', type: 'application/pdf', size: pdf.byteLength }]);
    for (const request of requests.slice(1)) assert.match(request.contentType ?? '', /^application\/x-www-form-urlencoded/);
    assert.deepEqual(
      requests[1]?.fields.filter(([key]) => key.startsWith('metadata')),
      [
        ['metadata[sageType]', 'devis'],
        ['metadata[sageNumber]', 'D000123'],
      ],
    );
    assert.deepEqual(requests[2]?.fields, [
      ['document', file.id],
      ['name', 'Devis D000123'],
    ]);
    assert.deepEqual(requests[3]?.fields, [
      ['type', 'signature'],
      ['page', '1'],
      ['x', '100'],
      ['y', '650'],
    ]);
    assert.deepEqual(requests[4]?.fields, [
      ['signer', SIGNER.email],
      ['field', field.id],
    ]);
    assert.deepEqual(requests[5]?.fields, [
      ['email', SIGNER.email],
      ['full_name', SIGNER.fullName],
      ['phone_number', '+33600000000'],
    ]);

    const raw = await universign.getTransaction(created.id);
    assert.deepEqual(raw.metadata, { sageType: 'devis', sageNumber: 'D000123' });

    await assert.rejects(universign.downloadSignedDocument(created.id, document.id), UniversignBadResponseError);
    simulator.sign(created.id, SIGNER.email);
    const signed = await universign.downloadSignedDocument(created.id, document.id);
    assert.equal(sha256(signed), sha256(signedPdfFor(document.id)));
    const evidence = await universign.downloadEvidence(created.id);
    assert.equal(Buffer.from(evidence.subarray(0, 5)).toString('latin1'), '%PDF-');
  });

  test('cancelTransaction cancels a started transaction', async () => {
    const { id } = simulator.createTransaction({ signers: [SIGNER] });
    const cancelled = await client().cancelTransaction(id);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(typeof cancelled.cancelled_at, 'string');
    await assert.rejects(client().cancelTransaction(id), UniversignBadResponseError);
  });
});

describe('toActivityFailure', () => {
  const cases = [
    [new TransactionNotFoundError({ method: 'GET', path: '/transactions/tx_1', status: 404 }), UNIVERSIGN_ERROR_TYPES.notFound, true],
    [new UniversignAuthError({ method: 'GET', path: '/transactions/tx_1', status: 401 }), UNIVERSIGN_ERROR_TYPES.auth, true],
    [new UniversignUnavailableError({ method: 'GET', path: '/transactions/tx_1', status: 503 }), UNIVERSIGN_ERROR_TYPES.retryable, false],
    [new UniversignBadResponseError({ method: 'GET', path: '/transactions/tx_1', status: 400 }), UNIVERSIGN_ERROR_TYPES.badResponse, true],
  ] as const;

  for (const [error, type, nonRetryable] of cases) {
    test(`${error.name} → ${type} (nonRetryable ${nonRetryable})`, () => {
      const failure = toActivityFailure(error);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, nonRetryable);
      assert.equal(failure.message, error.message);
      assert.deepEqual(failure.details, [{ status: error.status }]);
    });
  }

  test('other errors pass through unchanged', () => {
    const other = new Error('database down');
    assert.equal(toActivityFailure(other), other);
    assert.equal(toActivityFailure('text'), 'text');
  });
});
