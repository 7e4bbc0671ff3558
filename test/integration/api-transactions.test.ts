/**
 * /api/transactions on the real stack (Temporal dev server, database, Universign simulator, worker,
 * the app over loopback HTTP). Webhooks are held back in the simulator (reorder mode, never
 * flushed) and polling is hourly, so every sync after the first one comes from these API calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId, stateQuery, type TransactionState } from '../../workflows/messages';
import { startTestStack, TEST_API_TOKEN, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ webhooks: { reorder: true } });
});
after(() => stack?.close());

function readRow(transactionId: string) {
  return stack.db.prisma.signatureTransaction.findUnique({ where: { universignId: transactionId } });
}

/** A started Universign transaction with its workflow running and its first sync recorded. */
async function startSignature(number: string, emails: string[]): Promise<string> {
  const tx = stack.universign.createTransaction({
    state: 'started',
    name: `Devis ${number}`,
    signers: emails.map((email) => ({ email, fullName: email.split('@')[0] })),
  });
  const handle = await stack.env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: signatureWorkflowId(tx.id),
    args: [{ transactionId: tx.id, sageDocument: { type: 'devis', number }, poll: { minSeconds: 3600, maxSeconds: 3600 } }],
  });
  // The workflow counts a sync once it is recorded, so its query stands for the database row.
  await waitUntil(async () => (await handle.query(stateQuery)).syncCount > 0, `first sync of ${tx.id}`);
  return tx.id;
}

async function raw(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

describe('/api/transactions on the real stack', () => {
  test('auth, health and readiness', async () => {
    const missing = await raw('GET', '/api/transactions');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const wrong = await raw('GET', '/api/transactions', { headers: { authorization: 'Bearer not-the-token' } });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(wrong.text, /not-the-token|test-token/);
    const good = await raw('GET', '/api/transactions', { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } });
    assert.equal(good.status, 200);

    assert.equal((await raw('GET', '/health')).status, 200);
    const ready = await raw('GET', '/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.text), { status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  test('unknown transactions are 404 naming the id; malformed input is 400, oversized 413', async () => {
    for (const [method, path] of [
      ['GET', '/api/transactions/tx_unknown42'],
      ['GET', '/api/transactions/tx_unknown42/history'],
      ['POST', '/api/transactions/tx_unknown42/resync'],
      ['POST', '/api/transactions/tx_unknown42/cancel'],
    ] as const) {
      const response = await stack.api(method, path);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.body.error, 'Not Found');
      assert.match(response.body.message, /tx_unknown42/);
    }
    assert.equal((await stack.api('GET', '/api/transactions/bad%20id!')).status, 400);
    const badStatus = await stack.api('GET', '/api/transactions?status=SIGNED');
    assert.equal(badStatus.status, 400);
    assert.match(badStatus.body.message, /status/);

    const headers = { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' };
    const malformed = await raw('POST', '/api/transactions/tx_unknown42/resync', { headers, body: '{"reason":' });
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.text).error, 'Bad Request');
    const tooLarge = await raw('POST', '/api/transactions/tx_unknown42/resync', {
      headers,
      body: JSON.stringify({ reason: 'x'.repeat(1024 * 1024) }),
    });
    assert.equal(tooLarge.status, 413);
  });

  describe('with running workflows', () => {
    let signed: string;
    let cancelled: string;
    let pending: string;

    before(async () => {
      signed = await startSignature('D1', ['alice@client.example', 'bob@client.example']);
      cancelled = await startSignature('D2', ['carol@client.example']);
      pending = await startSignature('D3', ['dave@client.example']);
    });

    test('GET one transaction: the recorded view', async () => {
      const { status, body } = await stack.api('GET', `/api/transactions/${signed}`);
      assert.equal(status, 200);
      assert.equal(body.transactionId, signed);
      assert.equal(body.workflowId, signatureWorkflowId(signed));
      assert.deepEqual(body.sageDocument, { type: 'devis', number: 'D1' });
      assert.equal(body.status, 'EN_COURS');
      assert.equal(body.universignState, 'started');
      assert.equal(body.stalledReason, null);
      assert.deepEqual(
        body.signers.map((signer: { email: string; name: string; state: string }) => [signer.email, signer.name, signer.state]),
        [
          ['alice@client.example', 'alice', 'open'],
          ['bob@client.example', 'bob', 'open'],
        ],
      );
      assert.ok(body.signers.every((signer: { url?: string }) => signer.url?.startsWith('http')));
      assert.ok(!Number.isNaN(Date.parse(body.sentAt)) && !Number.isNaN(Date.parse(body.lastSyncedAt)));
      for (const field of ['signedAt', 'refusedAt', 'expiredAt', 'cancelledAt', 'lastSyncError']) assert.equal(body[field], null, field);
      assert.equal(body.syncCount, 1);
      assert.equal(body.webhookReceived, false);
      // This stack has no Sage gateway: the EN_COURS action is recorded, visibly skipped.
      assert.deepEqual(
        body.actions.map((action: { kind: string; status: string; forStatus: string; summary: string }) => [
          action.kind,
          action.status,
          action.forStatus,
        ]),
        [['UPDATE_SAGE_FIELDS', 'skipped', 'EN_COURS']],
      );
      assert.match(body.actions[0].summary, /not configured/);
      assert.deepEqual(body.archivedDocuments, []);
      assert.equal(body.sageOrder, null);
    });

    test('GET the list, filtered by status and Sage document', async () => {
      const all = await stack.api('GET', '/api/transactions?status=EN_COURS');
      assert.equal(all.status, 200);
      assert.equal(all.body.total, 3);
      assert.deepEqual(
        new Set(all.body.items.map((item: { transactionId: string }) => item.transactionId)),
        new Set([signed, cancelled, pending]),
      );
      assert.equal(all.body.limit, 50);
      assert.equal(all.body.offset, 0);

      for (const filter of ['devis:D2', 'D2']) {
        const one = await stack.api('GET', `/api/transactions?sageDocument=${encodeURIComponent(filter)}`);
        assert.deepEqual(
          one.body.items.map((item: { transactionId: string }) => item.transactionId),
          [cancelled],
          filter,
        );
        assert.equal(one.body.total, 1);
      }
      assert.equal((await stack.api('GET', '/api/transactions?sageDocument=commande:D2')).body.total, 0);
      assert.equal((await stack.api('GET', '/api/transactions?status=SIGNE')).body.total, 0);

      const page = await stack.api('GET', '/api/transactions?limit=2&offset=2');
      assert.equal(page.body.items.length, 1);
      assert.equal(page.body.total, 3);
    });

    test('GET the history: syncs and webhook events merged by time', async () => {
      await stack.db.prisma.webhookEvent.create({
        data: {
          eventId: 'evt_history_check',
          type: 'transaction.lifecycle.started',
          universignTransactionId: pending,
          receivedAt: new Date(Date.now() + 1000),
          status: 'signalled',
          duplicateCount: 2,
          payload: {},
        },
      });
      const { status, body } = await stack.api('GET', `/api/transactions/${pending}/history`);
      assert.equal(status, 200);
      assert.equal(body.transactionId, pending);
      const sync = body.entries.find((entry: { kind: string }) => entry.kind === 'sync');
      const webhook = body.entries.find((entry: { kind: string }) => entry.kind === 'webhook');
      const action = body.entries.find((entry: { kind: string }) => entry.kind === 'action');
      assert.deepEqual(body.entries.map((entry: { kind: string }) => entry.kind).sort(), ['action', 'sync', 'webhook']);
      assert.deepEqual([action.action, action.forStatus, action.state], ['UPDATE_SAGE_FIELDS', 'EN_COURS', 'skipped']);
      assert.equal(sync.kind, 'sync');
      assert.equal(sync.source, 'start');
      assert.equal(sync.previousStatus, null);
      assert.equal(sync.newStatus, 'EN_COURS');
      assert.equal(sync.statusChanged, true);
      assert.equal(sync.success, true);
      assert.equal(sync.universignState, 'started');
      assert.equal(sync.details.stalled, false);
      assert.deepEqual(
        { kind: webhook.kind, eventId: webhook.eventId, status: webhook.status, duplicateCount: webhook.duplicateCount },
        { kind: 'webhook', eventId: 'evt_history_check', status: 'signalled', duplicateCount: 2 },
      );
      assert.ok(Date.parse(sync.at) <= Date.parse(webhook.at));
    });

    test('POST resync reads Universign through the workflow update; a closed workflow is 409', async () => {
      stack.universign.sign(signed, 'alice@client.example');
      stack.universign.sign(signed, 'bob@client.example');
      assert.equal(stack.universign.getTransaction(signed).state, 'completed');

      const { status, body } = await stack.api('POST', `/api/transactions/${signed}/resync`, { reason: 'operator check' });
      assert.equal(status, 200);
      const state: TransactionState = body.state;
      assert.equal(body.transactionId, signed);
      assert.equal(state.status, 'SIGNE');
      assert.equal(state.universignState, 'completed');
      assert.equal(state.final, true);
      assert.equal(state.syncCount, 2);
      assert.deepEqual(
        state.signers.map((signer) => signer.state),
        ['completed', 'completed'],
      );
      const row = await readRow(signed);
      assert.equal(row?.status, 'SIGNE');
      assert.ok(row?.signedAt);
      const history = await stack.api('GET', `/api/transactions/${signed}/history`);
      assert.deepEqual(
        history.body.entries
          .filter((entry: { kind: string }) => entry.kind === 'sync')
          .map((entry: { source: string; newStatus: string }) => [entry.source, entry.newStatus]),
        [
          ['start', 'EN_COURS'],
          ['update', 'SIGNE'],
        ],
      );

      await stack.env.client.workflow.getHandle(signatureWorkflowId(signed)).result();
      const again = await stack.api('POST', `/api/transactions/${signed}/resync`);
      assert.equal(again.status, 409);
      assert.match(again.body.message, /ended \(COMPLETED\)/);
      assert.equal(again.body.transaction.status, 'SIGNE');
      assert.equal((await stack.api('GET', '/api/transactions?status=SIGNE')).body.total, 1);
    });

    test('POST cancel cancels on Universign and records ANNULE; a second cancel is 409', async () => {
      const { status, body } = await stack.api('POST', `/api/transactions/${cancelled}/cancel`);
      assert.equal(status, 200);
      assert.equal(body.state.status, 'ANNULE');
      assert.equal(body.state.universignState, 'cancelled');
      assert.equal(stack.universign.getTransaction(cancelled).state, 'cancelled');
      const row = await readRow(cancelled);
      assert.equal(row?.status, 'ANNULE');
      assert.ok(row?.cancelledAt);

      const again = await stack.api('POST', `/api/transactions/${cancelled}/cancel`);
      assert.equal(again.status, 409);
      assert.match(again.body.message, /already ANNULE/);
      assert.equal(again.body.transaction.status, 'ANNULE');
    });

    test('OpenAPI lists the routes; metrics count status changes and API resyncs', async () => {
      const docs = await raw('GET', '/docs/json');
      assert.equal(docs.status, 200);
      const openapi = JSON.parse(docs.text);
      assert.match(openapi.openapi, /^3\./);
      for (const path of [
        '/api/transactions',
        '/api/transactions/{transactionId}',
        '/api/transactions/{transactionId}/history',
        '/api/transactions/{transactionId}/resync',
        '/api/transactions/{transactionId}/cancel',
      ]) {
        assert.ok(openapi.paths[path], `${path} documented`);
      }
      assert.deepEqual(openapi.paths['/api/transactions/{transactionId}'].get.tags, ['transactions']);

      const metrics = await raw('GET', '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /signature_status_changes_total\{status="SIGNE"\} 1/);
      assert.match(metrics.text, /signature_status_changes_total\{status="ANNULE"\} 1/);
      assert.match(metrics.text, /api_resyncs_total\{outcome="resync_ok"\} 1/);
      assert.match(metrics.text, /api_resyncs_total\{outcome="resync_conflict"\} 1/);
      assert.match(metrics.text, /api_resyncs_total\{outcome="cancel_ok"\} 1/);
    });
  });
});
