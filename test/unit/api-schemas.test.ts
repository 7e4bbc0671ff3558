/**
 * One zod schema per HTTP shape, driven with `app.inject` over stub deps: the OpenAPI document is
 * derived from the same schemas the routes validate with, answers are checked (and stripped) by
 * the serializer, input types are strict, domain errors are answered by the one error handler,
 * and the metrics hook counts answers by route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { UniversignBadResponseError, UniversignUnavailableError } from '../../activities/universign-errors';
import { createApp } from '../../api/create-app';
import {
  TemporalUnavailableError,
  TransactionFinalError,
  UniversignRejectedError,
  UnknownTransactionError,
  WorkflowEndedError,
} from '../../api/domain-errors';
import { describeError } from '../../api/plugins/error-handler';
import { transactionView } from '../../api/transactions/transaction-schemas';
import { LOCAL_STATUSES } from '../../workflows/status-machine';
import { stubAppDeps } from '../support/stub-app-deps';

const TOKEN = 'schema-test-token-0123';
const auth = { authorization: `Bearer ${TOKEN}` };
const at = new Date('2026-01-01T10:00:00Z');

function transactionRow(universignId: string, status: string) {
  return {
    universignId,
    workflowId: `universign-${universignId}`,
    sageDocumentType: 'devis',
    sageDocumentNumber: 'D9',
    name: 'Devis D9',
    universignState: 'started',
    stalled: false,
    stalledReason: null,
    status,
    sentAt: at,
    expiresAt: null,
    signedAt: status === 'SIGNE' ? at : null,
    refusedAt: null,
    expiredAt: null,
    cancelledAt: null,
    lastSyncedAt: at,
    syncCount: 2,
    quietSyncCount: 1,
    webhookReceived: true,
    lastSyncError: null,
    lastSyncErrorAt: null,
    updatedAt: at,
    sageOrderType: null,
    sageOrderNumber: null,
    signers: [{ email: 'zoe@client.example', name: 'Zoé', state: 'open', url: null }],
    actions: [],
    archivedDocuments: [],
  };
}

const rows: Record<string, ReturnType<typeof transactionRow>> = {
  tx_open: transactionRow('tx_open', 'EN_COURS'),
  tx_signed: transactionRow('tx_signed', 'SIGNE'),
  // A row the view schema refuses: the serializer must not let it out.
  tx_corrupt: transactionRow('tx_corrupt', 'NOT_A_STATUS'),
};

const prisma = {
  signatureTransaction: {
    findMany: async () => [],
    count: async () => 0,
    findUnique: async ({ where }: { where: { universignId: string } }) => rows[where.universignId] ?? null,
  },
  syncLogEntry: { findMany: async () => [] },
  webhookEvent: { findMany: async () => [] },
  businessActionRecord: { findMany: async () => [] },
  transactionStatusCount: { findMany: async () => [] },
};

/** The workflow's state as its `resync` update returns it, with a field the API does not publish. */
function workflowState(transactionId: string) {
  return {
    transactionId,
    workflowId: `universign-${transactionId}`,
    sageDocument: { type: 'devis', number: 'D9' },
    status: 'EN_COURS',
    universignState: 'started',
    stalled: false,
    stalledReason: null,
    signers: [{ email: 'zoe@client.example', name: 'Zoé', state: 'open', url: null }],
    syncCount: 3,
    statusChanges: 1,
    lastSyncedAt: at.toISOString(),
    lastSyncError: null,
    webhookReceived: true,
    webhooksArriving: true,
    actions: [],
    pollIntervalSeconds: 60,
    nextPollAt: null,
    final: false,
  };
}

const temporal = {
  connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
  workflow: {
    getHandle: (workflowId: string) => ({ workflowId, executeUpdate: async () => workflowState(workflowId.replace(/^universign-/, '')) }),
  },
};

// tx_open: Universign refuses to cancel it (a 4xx), which is a 409 naming Universign's answer.
const universign = {
  cancelTransaction: async (transactionId: string) => {
    throw new UniversignBadResponseError({
      method: 'POST',
      path: `/transactions/${transactionId}/cancel`,
      status: 400,
      body: 'not cancellable',
    });
  },
};

let app: FastifyInstance;
let logged: string[] = [];

before(async () => {
  const deps = stubAppDeps({ prisma, temporal, universign, settings: { apiTokens: [TOKEN], webhookMaxBytes: 1024 } });
  const stream = { write: (line: string) => logged.push(line) };
  app = await createApp(deps, { logger: { level: 'error', stream } });
});
after(() => app?.close());

const metricsText = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;

describe('zod schemas at the HTTP edge (inject, stub deps)', () => {
  test('the OpenAPI document is derived from the zod schemas of the transaction routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(response.statusCode, 200);
    const openapi = response.json();
    const one = openapi.paths['/api/transactions/{transactionId}'].get;
    assert.equal(one.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/TransactionView');
    assert.equal(one.responses['404'].content['application/json'].schema.$ref, '#/components/schemas/Error');
    const component = openapi.components.schemas.TransactionView;
    assert.deepEqual(Object.keys(component.properties).sort(), Object.keys(transactionView.shape).sort());
    assert.ok(component.required.includes('status'));
    assert.deepEqual(component.properties.status.enum, [...LOCAL_STATUSES]);
    assert.deepEqual(Object.keys(openapi.components.schemas.Error.properties), ['error', 'message']);
    const resync = openapi.paths['/api/transactions/{transactionId}/resync'].post;
    assert.equal(resync.responses['409'].content['application/json'].schema.$ref, '#/components/schemas/TransactionConflict');
    assert.equal(resync.responses['200'].content['application/json'].schema.properties.state.$ref, '#/components/schemas/TransactionState');
    const status = openapi.paths['/api/transactions'].get.parameters.find((parameter: { name: string }) => parameter.name === 'status');
    assert.deepEqual(status.schema.enum, [...LOCAL_STATUSES]);
    const limit = openapi.paths['/api/transactions'].get.parameters.find((parameter: { name: string }) => parameter.name === 'limit');
    assert.deepEqual([limit.schema.type, limit.schema.minimum, limit.schema.maximum], ['integer', 1, 200]);
    // The docs and metrics routes are not documented; signature requests: signature-request-schemas.test.ts.
    assert.equal(openapi.paths['/metrics'], undefined);
    const text = JSON.stringify(openapi.paths);
    for (const name of Object.keys(openapi.components.schemas).filter((each) => each.endsWith('Input'))) {
      assert.ok(text.includes(`"#/components/schemas/${name}"`), `no unused input copy (${name})`);
    }
  });

  test('answers go through the serializer: fields outside the schema are dropped, a mismatch is a 500', async () => {
    const view = await app.inject({ method: 'GET', url: '/api/transactions/tx_open', headers: auth });
    assert.equal(view.statusCode, 200);
    const body = view.json();
    assert.deepEqual(Object.keys(body).sort(), Object.keys(transactionView.shape).sort());
    assert.deepEqual(body.signers, [{ email: 'zoe@client.example', name: 'Zoé', state: 'open' }], 'no url when there is none');
    assert.equal(body.quietSyncCount, 1);

    const resync = await app.inject({ method: 'POST', url: '/api/transactions/tx_open/resync', headers: auth });
    assert.equal(resync.statusCode, 200);
    assert.equal(resync.json().state.syncCount, 3);
    assert.equal(resync.json().state.webhooksArriving, undefined, 'a field outside the schema is dropped');

    logged = [];
    const corrupt = await app.inject({ method: 'GET', url: '/api/transactions/tx_corrupt', headers: auth });
    assert.equal(corrupt.statusCode, 500);
    assert.deepEqual(corrupt.json(), { error: 'Internal Server Error', message: 'unexpected error; see the server log' });
    assert.doesNotMatch(corrupt.body, /NOT_A_STATUS/);
    assert.ok(
      logged.some((line) => /Response doesn't match the schema/.test(line)),
      'the mismatch is logged',
    );
  });

  test('input types are strict: no coercion, no unknown fields, a 400 naming the field', async () => {
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/api/transactions/tx_open/resync',
        headers: { ...auth, 'content-type': 'application/json' },
        payload,
      });
    const cases: Array<[string, () => ReturnType<typeof post>, RegExp]> = [
      ['a number for a string', () => post('{"reason": 42}'), /^body\.reason: Invalid input: expected string, received number$/],
      ['a boolean for a string', () => post('{"reason": true}'), /^body\.reason: .*expected string, received boolean/],
      ['a misspelt field', () => post('{"reasn": "check"}'), /^body: Unrecognized key: "reasn"$/],
      ['an array for the body', () => post('[]'), /^body: .*expected object, received array/],
      ['a reason too long', () => post(JSON.stringify({ reason: 'x'.repeat(501) })), /^body\.reason: Too big/],
      [
        'a number in exponent form',
        () => app.inject({ method: 'GET', url: '/api/transactions?limit=1e1', headers: auth }),
        /^querystring\.limit: must be a whole number$/,
      ],
      ['a negative offset', () => app.inject({ method: 'GET', url: '/api/transactions?offset=-1', headers: auth }), /querystring\.offset/],
      [
        'an unknown filter',
        () => app.inject({ method: 'GET', url: '/api/transactions?stauts=SIGNE', headers: auth }),
        /Unrecognized key: "stauts"/,
      ],
      [
        'a malformed id',
        () => app.inject({ method: 'GET', url: '/api/transactions/bad.id', headers: auth }),
        /^params\.transactionId: must be a Universign/,
      ],
    ];
    for (const [what, send, message] of cases) {
      const response = await send();
      assert.equal(response.statusCode, 400, what);
      assert.equal(response.json().error, 'Bad Request', what);
      assert.match(response.json().message, message, what);
    }
    const paged = await app.inject({ method: 'GET', url: '/api/transactions?limit=7&offset=3', headers: auth });
    assert.deepEqual(paged.json(), { items: [], total: 0, limit: 7, offset: 3 });
  });

  test('domain errors are answered by the one handler', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/api/transactions/tx_nope', headers: auth });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { error: 'Not Found', message: 'unknown transaction tx_nope' });
    const history = await app.inject({ method: 'GET', url: '/api/transactions/tx_nope/history', headers: auth });
    assert.deepEqual([history.statusCode, history.json().message], [404, 'unknown transaction tx_nope']);

    const final = await app.inject({ method: 'POST', url: '/api/transactions/tx_signed/cancel', headers: auth });
    assert.equal(final.statusCode, 409);
    assert.match(final.json().message, /already SIGNE, a final status/);
    assert.equal(final.json().transaction.transactionId, 'tx_signed');

    const refused = await app.inject({ method: 'POST', url: '/api/transactions/tx_open/cancel', headers: auth });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json().message, /^Universign refused to cancel tx_open: .*not cancellable/);
    assert.equal(refused.json().transaction, undefined);

    const view = transactionView.parse(
      await app.inject({ method: 'GET', url: '/api/transactions/tx_open', headers: auth }).then((r) => r.json()),
    );
    const expected: Array<[Error, number]> = [
      [new UnknownTransactionError('tx_1'), 404],
      [new TransactionFinalError('final', view), 409],
      [new WorkflowEndedError('ended', null), 409],
      [new UniversignRejectedError('refused'), 409],
      [new TemporalUnavailableError('no answer'), 503],
      [new UniversignUnavailableError({ method: 'POST', path: '/x', status: 429 }), 503],
      [new UniversignBadResponseError({ method: 'GET', path: '/x', status: 200, reason: 'not JSON' }), 502],
    ];
    for (const [err, statusCode] of expected) assert.equal(describeError(err)?.statusCode, statusCode, err.name);
    assert.equal(describeError(new Error('boom')), null, 'anything else is a 500');
  });

  test('the metrics hook counts answers of the routes that declare it', async () => {
    const before = await metricsText();
    assert.match(before, /api_resyncs_total\{outcome="cancel_conflict"\} 2/, 'the two 409 cancels above');
    // The one 200 above; the 400s on bad input are not resync outcomes.
    assert.match(before, /api_resyncs_total\{outcome="resync_ok"\} 1\n/);
    assert.doesNotMatch(before, /outcome="resync_(?!ok)/);

    const unsigned = await app.inject({
      method: 'POST',
      url: '/webhooks/universign',
      headers: { 'content-type': 'application/json' },
      payload: '{"id":"evt_1"}',
    });
    assert.equal(unsigned.statusCode, 401);
    assert.deepEqual(unsigned.json(), { error: 'Unauthorized', message: 'invalid webhook signature (missing)' });
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/webhooks/universign',
      headers: { 'content-type': 'application/json', 'x-jws-signature': 'x..y' },
      payload: 'a'.repeat(2048),
    });
    assert.equal(tooLarge.statusCode, 413);

    const text = await metricsText();
    assert.match(text, /universign_webhooks_total\{outcome="unauthorized"\} 1/);
    assert.match(text, /universign_webhooks_total\{outcome="too_large"\} 1/);
    assert.match(text, /universign_webhook_duration_seconds_count\{outcome="unauthorized"\} 1/);
  });
});
