/**
 * End to end on real servers: the Temporal dev server, PostgreSQL (or the embedded server) and the
 * Universign simulator over HTTP. A transaction moves draft → started → completed by polling
 * alone, and a worker restart in the middle loses nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createUniversignClient } from '../../activities/universign-client';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { createSyncWorker, type SyncWorker } from '../../worker/create-sync-worker';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { SAGE_DOCUMENT_KEY, SIGNATURE_STATUS_KEY, UNIVERSIGN_STATE_KEY } from '../../workflows/search-attributes';
import { createDevServerEnv, workflowBundle } from '../support/temporal-env';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const API_KEY = 'integration-key';
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let universign: UniversignSimulator;

before(async () => {
  [env, db, universign] = await Promise.all([createDevServerEnv(), createTestDatabase(), startUniversignSimulator({ apiKey: API_KEY })]);
});
after(async () => {
  await Promise.allSettled([env?.teardown(), db?.close(), universign?.close()]);
});

async function startWorker(taskQueue: string): Promise<{ worker: SyncWorker; running: Promise<void> }> {
  const worker = await createSyncWorker({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    deps: { prisma: db.prisma, universign: createUniversignClient({ baseUrl: universign.url, apiKey: API_KEY }) },
  });
  return { worker, running: worker.run() };
}

function readTransaction(universignId: string) {
  return db.prisma.signatureTransaction.findUnique({
    where: { universignId },
    include: {
      signers: { orderBy: { position: 'asc' } },
      syncLog: { orderBy: { id: 'asc' } },
    },
  });
}

describe('signature transaction lifecycle on the dev server', () => {
  test('draft → started → completed through polling alone, across a worker restart', async () => {
    const tx = universign.createTransaction({
      state: 'draft',
      name: 'Devis D0042',
      signers: [
        { email: 'alice@client.example', fullName: 'Alice Martin' },
        { email: 'bob@client.example', fullName: 'Bob Durand' },
      ],
    });
    const taskQueue = `lifecycle-${Date.now()}`;
    const workflowId = signatureWorkflowId(tx.id);
    let current = await startWorker(taskQueue);

    const handle = await env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [{ transactionId: tx.id, sageDocument: { type: 'devis', number: 'D0042' }, poll: { minSeconds: 1, maxSeconds: 2 } }],
    });

    await waitUntil(async () => (await readTransaction(tx.id))?.status === 'EN_ATTENTE', 'the draft recorded');
    universign.start(tx.id);
    await waitUntil(async () => (await readTransaction(tx.id))?.status === 'EN_COURS', 'started seen by polling');
    universign.sign(tx.id, 'alice@client.example');
    await waitUntil(async () => (await readTransaction(tx.id))?.signers[0]?.state === 'completed', 'the first signature seen by polling');

    // The worker goes away; the transaction completes meanwhile; a new worker picks the workflow up.
    current.worker.shutdown();
    await current.running;
    universign.sign(tx.id, 'bob@client.example');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await readTransaction(tx.id))?.status, 'EN_COURS', 'nothing syncs while no worker runs');
    current = await startWorker(taskQueue);

    const result: TransactionState = await handle.result();
    current.worker.shutdown();
    await current.running;

    assert.equal(result.status, 'SIGNE');
    assert.equal(result.universignState, 'completed');
    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
    // The Web UI finds it by these, kept current by the workflow.
    assert.equal(description.typedSearchAttributes.get(SIGNATURE_STATUS_KEY), 'SIGNE');
    assert.equal(description.typedSearchAttributes.get(UNIVERSIGN_STATE_KEY), 'completed');
    assert.equal(description.typedSearchAttributes.get(SAGE_DOCUMENT_KEY), 'devis:D0042');

    const row = await readTransaction(tx.id);
    assert.ok(row);
    assert.equal(row.workflowId, workflowId);
    assert.equal(row.sageDocumentType, 'devis');
    assert.equal(row.sageDocumentNumber, 'D0042');
    assert.equal(row.status, 'SIGNE');
    assert.equal(row.universignState, 'completed');
    assert.ok(row.sentAt, 'sent date recorded from started_at');
    assert.ok(row.signedAt, 'signed date recorded');
    assert.equal(row.lastSyncError, null);
    assert.equal(row.documentIds.length, 1);
    assert.deepEqual(
      row.signers.map((s) => [s.email, s.name, s.state]),
      [
        ['alice@client.example', 'Alice Martin', 'completed'],
        ['bob@client.example', 'Bob Durand', 'completed'],
      ],
    );
    assert.ok(
      row.signers.every((s) => s.url?.startsWith('http')),
      'signing links recorded',
    );

    // The sync log shows each step once, in order, and nothing else changed the status.
    const changes = row.syncLog.filter((entry) => entry.statusChanged);
    assert.deepEqual(
      changes.map((entry) => [entry.previousStatus, entry.newStatus]),
      [
        [null, 'EN_ATTENTE'],
        ['EN_ATTENTE', 'EN_COURS'],
        ['EN_COURS', 'SIGNE'],
      ],
    );
    assert.ok(row.syncLog.every((entry) => entry.success));
    assert.equal(row.syncCount, row.syncLog.length);
    assert.equal(new Set(row.syncLog.map((entry) => entry.syncKey)).size, row.syncLog.length);
    assert.equal(row.syncLog[0]?.source, 'start');
    assert.ok(
      row.syncLog.slice(1).every((entry) => entry.source === 'poll'),
      'polling alone drove it',
    );
  });

  test('a transaction unknown to Universign ends its workflow with the failure recorded', async () => {
    const transactionId = `tx_missing${Date.now()}`;
    const taskQueue = `missing-${Date.now()}`;
    const current = await startWorker(taskQueue);
    const handle = await env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: signatureWorkflowId(transactionId),
      args: [{ transactionId, poll: { minSeconds: 1, maxSeconds: 2 } }],
    });
    await assert.rejects(handle.result(), /Workflow execution failed/);
    current.worker.shutdown();
    await current.running;

    const row = await readTransaction(transactionId);
    assert.ok(row);
    assert.match(row.lastSyncError ?? '', /^TransactionNotFound: /);
    assert.equal(row.syncLog.length, 3);
    assert.ok(row.syncLog.every((entry) => !entry.success));
    assert.deepEqual(row.syncLog.at(-1)?.details, { terminal: true });
  });
});
