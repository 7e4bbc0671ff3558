/**
 * POST /api/signature-requests at the HTTP edge, driven with `app.inject` over stub deps: strict
 * input (a JSON number or boolean where a string is due is a 400 naming the field, and nothing
 * reaches Universign or Temporal), the happy path through the stubs, domain errors answered with
 * the request's id, and the signature-request schemas as OpenAPI components.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { UniversignUnavailableError } from '../../activities/universign-errors';
import { createApp } from '../../api/create-app';
import { stubAppDeps } from '../support/stub-app-deps';

const TOKEN = 'sigreq-test-token-0123';
const PDF_BASE64 = Buffer.from('%PDF-1.4\n%stub\n').toString('base64');
const SENT = { transactionId: 'tx_1', workflowId: 'universign-tx_1', status: 'EN_COURS' };

let uploads = 0;
let starts = 0;
let uploadFails = false;

const temporal = {
  connection: {
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    withAbortSignal: <T>(_signal: AbortSignal, fn: () => Promise<T>) => fn(),
  },
  workflow: {
    start: async () => {
      starts += 1;
    },
    getHandle: (workflowId: string) => ({
      workflowId,
      describe: async () => {
        throw new WorkflowNotFoundError('not found', workflowId, undefined);
      },
      result: async () => ({ ...SENT, extra: 'dropped by the serializer' }),
    }),
  },
};

const universign = {
  uploadFile: async () => {
    uploads += 1;
    if (uploadFails) throw new UniversignUnavailableError({ method: 'POST', path: '/files', status: 503 });
    return { id: 'file_1' };
  },
};

let app: FastifyInstance;

before(async () => {
  const deps = stubAppDeps({
    prisma: { transactionStatusCount: { findMany: async () => [] } },
    temporal,
    universign,
    settings: { apiTokens: [TOKEN], webhookMaxBytes: 1024 },
  });
  app = await createApp(deps);
});
after(() => app?.close());
beforeEach(() => {
  uploads = 0;
  starts = 0;
  uploadFails = false;
});

function body(overrides: Record<string, unknown> = {}, sageDocument: Record<string, unknown> = {}) {
  return {
    sageDocument: { type: 'devis', number: 'D1', ...sageDocument },
    document: { name: 'devis-D1.pdf', contentBase64: PDF_BASE64 },
    signers: [{ email: 'alice@client.example', phone: '+33 6 12 34 56 78' }],
    ...overrides,
  };
}

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/signature-requests',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });

describe('POST /api/signature-requests: strict input (inject, stub deps)', () => {
  test('a number or boolean where a string is due is a 400 naming the field; nothing is uploaded or started', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['sageDocument.number as a number', body({}, { number: 42 }), /^body\.sageDocument\.number: .*expected string, received number$/],
      ['sageDocument.type as a boolean', body({}, { type: true }), /^body\.sageDocument\.type: .*expected string, received boolean$/],
      ['a signer e-mail as a number', body({ signers: [{ email: 7 }] }), /^body\.signers\.0\.email: .*expected string, received number$/],
      ['language as a number', body({ language: 1 }), /^body\.language: must be one of fr, en/],
      ['expiresAt as a number', body({ expiresAt: 1_900_000_000_000 }), /^body\.expiresAt: .*expected string, received number$/],
      ['an unknown field in sageDocument', body({}, { numero: 'D1' }), /^body\.sageDocument: Unrecognized key: "numero"$/],
    ];
    for (const [what, payload, message] of cases) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, `${what}: ${response.body}`);
      assert.equal(response.json().error, 'Bad Request', what);
      assert.match(response.json().message, message, what);
    }
    assert.deepEqual([uploads, starts], [0, 0], 'no upload, no workflow');
  });

  test('checks past the schema are domain errors, still before any upload', async () => {
    const notPdf = await post(body({ document: { name: 'a.pdf', contentBase64: Buffer.from('hello').toString('base64') } }));
    assert.deepEqual([notPdf.statusCode, notPdf.json().error], [400, 'Bad Request']);
    assert.match(notPdf.json().message, /not a PDF/);
    const past = await post(body({ expiresAt: '2001-01-01T00:00:00Z' }));
    assert.deepEqual([past.statusCode, past.json().message], [400, 'invalid signature request: expiresAt is in the past']);
    const badKey = await post(body(), { 'idempotency-key': 'é'.repeat(3) });
    assert.match(badKey.json().message, /^headers\.idempotency-key: must be printable ASCII$/);
    const noToken = await app.inject({ method: 'POST', url: '/api/signature-requests', payload: body() });
    assert.equal(noToken.statusCode, 401);
    assert.deepEqual([uploads, starts], [0, 0]);
  });

  test('a valid request: uploaded, started, answered 201 through the serializer; a failed upload is a 503 naming the step', async () => {
    const sent = await post(body(), { 'idempotency-key': 'unit-1' });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.deepEqual(sent.json(), SENT);
    assert.deepEqual([uploads, starts], [1, 1]);

    uploadFails = true;
    const failed = await post(body(), { 'idempotency-key': 'unit-2' });
    assert.equal(failed.statusCode, 503, failed.body);
    const { message, ...rest } = failed.json<{ message: string }>();
    assert.deepEqual(rest, { error: 'Service Unavailable', requestId: 'send-key-unit-2', step: 'upload the PDF' });
    assert.match(message, /^Universign is unavailable \(could not upload the PDF: /);
    assert.equal(starts, 1, 'no workflow after a failed upload');
  });

  test('GET of an id that cannot be a send is a 404', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/signature-requests/nope',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.deepEqual([response.statusCode, response.json()], [404, { error: 'Not Found', message: 'no signature request nope' }]);
  });

  test('the OpenAPI document has the signature-request schemas as components', async () => {
    const openapi = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const schemas = openapi.components.schemas;
    const create = openapi.paths['/api/signature-requests'].post;
    const ref = (status: string) => create.responses[status].content['application/json'].schema.$ref;
    assert.equal(create.requestBody.content['application/json'].schema.$ref, '#/components/schemas/SignatureRequestInput');
    assert.deepEqual(schemas.SignatureRequestInput.properties.sageDocument.properties.number.type, 'string');
    assert.equal(schemas.SignatureRequestInput.additionalProperties, false, 'unknown fields refused, as documented');
    assert.equal(ref('201'), '#/components/schemas/SignatureRequestSent');
    assert.equal(ref('202'), '#/components/schemas/SignatureRequestPending');
    assert.equal(ref('400'), '#/components/schemas/Error');
    assert.equal(ref('502'), '#/components/schemas/SignatureRequestError');
    assert.ok(
      create.parameters.some(
        (parameter: { in: string; name: string }) => parameter.in === 'header' && parameter.name === 'idempotency-key',
      ),
    );
    const progress = openapi.paths['/api/signature-requests/{id}'].get;
    assert.equal(progress.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/SignatureRequestProgress');
    assert.deepEqual(schemas.SignatureRequestProgress.properties.status.enum, ['running', 'sent', 'failed']);
  });
});
