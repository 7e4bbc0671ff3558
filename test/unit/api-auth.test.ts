/**
 * The app's HTTP edges without any server: bearer auth, input validation, body limits, and how
 * Temporal and Universign failures become answers, driven with `app.inject` over stub deps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { UniversignAuthError } from '../../activities/universign-errors';
import { createApp } from '../../api/create-app';
import { stubAppDeps } from '../support/stub-app-deps';

const TOKEN = 'unit-token-abcdef';
const UNIVERSIGN_KEY = 'unit-universign-secret-key';
const auth = { authorization: `Bearer ${TOKEN}` };

const row = {
  id: '00000000-0000-4000-8000-000000000001',
  universignId: 'tx_unit1',
  workflowId: 'universign-tx_unit1',
  sageDocumentType: 'devis',
  sageDocumentNumber: 'D1',
  name: null,
  universignState: 'started',
  stalled: false,
  stalledReason: null,
  status: 'EN_COURS',
  sentAt: new Date('2026-01-01T10:00:00Z'),
  expiresAt: null,
  signedAt: null,
  refusedAt: null,
  expiredAt: null,
  cancelledAt: null,
  signerUrl: null,
  documentIds: [],
  lastSyncedAt: new Date('2026-01-01T10:00:01Z'),
  syncCount: 1,
  webhookReceived: false,
  lastSyncError: null,
  lastSyncErrorAt: null,
  createdAt: new Date('2026-01-01T10:00:01Z'),
  updatedAt: new Date('2026-01-01T10:00:01Z'),
  sageOrderType: null,
  sageOrderNumber: null,
  signers: [{ email: 'alice@client.example', name: 'Alice', state: 'open', url: null }],
  actions: [],
  archivedDocuments: [],
};

const prisma = {
  signatureTransaction: {
    findMany: async () => [],
    count: async () => 0,
    findUnique: async ({ where }: { where: { universignId: string } }) => (where.universignId === row.universignId ? row : null),
  },
};

const temporal = {
  connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
  workflow: {
    getHandle: (workflowId: string) => ({
      workflowId,
      executeUpdate: async () => {
        throw new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled');
      },
    }),
  },
};

const universign = {
  cancelTransaction: async () => {
    // The real client redacts the key; a message carrying it checks that the answer never repeats it.
    throw new UniversignAuthError({ method: 'POST', path: '/transactions/tx_unit1/cancel', status: 401, body: UNIVERSIGN_KEY });
  },
};

let app: FastifyInstance;

before(async () => {
  const deps = stubAppDeps({ prisma, temporal, universign, settings: { apiTokens: ['another-token', TOKEN], webhookMaxBytes: 64 * 1024 } });
  app = await createApp(deps);
});
after(() => app?.close());

describe('API edges (inject, stub deps)', () => {
  test('/api/* needs a known bearer token; /health does not', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/transactions' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    assert.match(missing.json().message, /missing bearer token/);

    const wrong = await app.inject({ method: 'GET', url: '/api/transactions', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().message, 'invalid bearer token');

    const good = await app.inject({ method: 'GET', url: '/api/transactions', headers: auth });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(good.json(), { items: [], total: 0, limit: 50, offset: 0 });

    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  test('percent-encoded paths that route to /api/* still need the token', async () => {
    for (const [method, url] of [
      ['GET', '/%61pi/transactions'],
      ['GET', '/%61pi/transactions/tx_unit1'],
      ['POST', '/%61pi/transactions/tx_unit1/cancel'],
      ['POST', '/%61pi/signature-requests'],
      ['GET', '/api/%74ransactions/tx_unit1'],
    ] as const) {
      const response = await app.inject({ method, url });
      assert.equal(response.statusCode, 401, `${method} ${url}`);
    }
  });

  test('malformed input is a 400 with a message, an oversized body a 413', async () => {
    for (const url of [
      '/api/transactions/bad.id',
      '/api/transactions?status=DONE',
      '/api/transactions?limit=500',
      '/api/transactions?sageDocument=a:b:c',
    ]) {
      const response = await app.inject({ method: 'GET', url, headers: auth });
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.json().error, 'Bad Request');
    }
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/transactions/tx_unit1/resync',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"reason": ',
    });
    assert.equal(badJson.statusCode, 400);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/transactions/tx_unit1/resync',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'x'.repeat(1024 * 1024 + 1) }),
    });
    assert.equal(huge.statusCode, 413);
  });

  test('a resync Temporal does not answer is a 503, counted', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/transactions/tx_unit1/resync', headers: auth });
    assert.equal(response.statusCode, 503);
    assert.match(response.json().message, /retry later/);
    const counted = (await app.metrics.resyncs.get()).values.find((value) => value.labels.outcome === 'resync_unavailable');
    assert.equal(counted?.value, 1);
  });

  test('Universign refusing the API key is a 502 that does not repeat the key', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/transactions/tx_unit1/cancel', headers: auth });
    assert.equal(response.statusCode, 502);
    assert.match(response.json().message, /UNIVERSIGN_API_KEY/);
    assert.doesNotMatch(response.body, new RegExp(UNIVERSIGN_KEY));
  });
});
