/**
 * The sync records against a real database: a sync that changed something is written in full
 * (row, signers, sync log) once per sync key; a quiet one is one UPDATE that counts it; the
 * status counters GET /metrics reads follow every insert and move, kept by the database itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSyncActivities } from '../../activities/create-sync-activities';
import type { RecordSyncInput } from '../../activities/sync-contracts';
import type { SyncOutcome } from '../../activities/sync-metrics';
import type { TransactionSnapshot } from '../../activities/transaction-snapshot';
import { createUniversignClient } from '../../activities/universign-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
const outcomes: SyncOutcome[] = [];
let activities: ReturnType<typeof createSyncActivities>;

before(async () => {
  db = await createTestDatabase();
  activities = createSyncActivities({
    prisma: db.prisma,
    // Never called here: only the records are exercised.
    universign: createUniversignClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused', timeoutMs: 1000 }),
    metrics: { syncRecorded: (_source, outcome) => outcomes.push(outcome), pollStarted: () => undefined, statusChanged: () => undefined },
  });
});
after(async () => {
  await db?.close();
});

function snapshot(transactionId: string, state: string, signerState = 'open'): TransactionSnapshot {
  return {
    transactionId,
    name: 'Devis D1',
    state,
    stalled: false,
    stalledReason: null,
    createdAt: null,
    startedAt: '2026-11-30T10:00:00.000Z',
    expiresAt: null,
    completedAt: null,
    cancelledAt: null,
    metadata: {},
    documents: [{ id: 'doc_1', name: 'devis.pdf' }],
    signers: [{ email: 'a@client.example', name: 'A', state: signerState, url: null, signedAt: null, refusedAt: null }],
    fetchedAt: new Date().toISOString(),
  };
}

function full(
  transactionId: string,
  sequence: number,
  status: RecordSyncInput['status'],
  previous: RecordSyncInput['previousStatus'],
  state: string,
): RecordSyncInput {
  return {
    syncKey: `wf-${transactionId}/c/${sequence}`,
    workflowId: `wf-${transactionId}`,
    transactionId,
    sageDocument: { type: 'devis', number: 'D1' },
    source: 'poll',
    snapshot: snapshot(transactionId, state),
    previousStatus: previous,
    status,
    statusChanged: status !== previous,
    conflict: null,
    webhookReceived: false,
  };
}

async function counts(): Promise<Record<string, [number, number]>> {
  const rows = await db.prisma.transactionStatusCount.findMany();
  return Object.fromEntries(rows.map((row) => [row.status, [Number(row.transactions), Number(row.entered)]]));
}

describe('sync records', () => {
  test('a quiet sync is one counted update, no sync-log row; a retried key writes nothing more', async () => {
    const tx = 'tx_records_quiet';
    assert.deepEqual(await activities.recordSyncResult(full(tx, 1, 'EN_COURS', null, 'started')), { recorded: true });
    const quiet = {
      syncKey: `wf-${tx}/c/2`,
      transactionId: tx,
      source: 'poll' as const,
      syncedAt: '2026-11-30T11:00:00.000Z',
      webhookReceived: true,
    };
    assert.deepEqual(await activities.recordQuietSync(quiet), { recorded: true, missing: false });
    assert.deepEqual(await activities.recordQuietSync(quiet), { recorded: false, missing: false }, 'the retry of the same sync');

    const row = await db.prisma.signatureTransaction.findUniqueOrThrow({ where: { universignId: tx }, include: { syncLog: true } });
    assert.equal(row.syncCount, 2);
    assert.equal(row.quietSyncCount, 1);
    assert.equal(row.syncLog.length, 1, 'only the sync that set the status is in the log');
    assert.equal(row.lastSyncedAt?.toISOString(), '2026-11-30T11:00:00.000Z');
    assert.equal(row.webhookReceived, true);
    assert.deepEqual(outcomes.slice(-2), ['changed', 'quiet'], 'each sync counted once in the worker metrics');
  });

  test('a quiet sync for a transaction without a row says so (the workflow then records it in full)', async () => {
    const quiet = {
      syncKey: 'wf-x/c/1',
      transactionId: 'tx_records_missing',
      source: 'poll' as const,
      syncedAt: new Date().toISOString(),
      webhookReceived: false,
    };
    assert.deepEqual(await activities.recordQuietSync(quiet), { recorded: false, missing: true });
  });

  test('a full sync retried with its key writes nothing more', async () => {
    const tx = 'tx_records_retry';
    const input = full(tx, 1, 'EN_COURS', null, 'started');
    assert.deepEqual(await activities.recordSyncResult(input), { recorded: true });
    assert.deepEqual(await activities.recordSyncResult(input), { recorded: false });
    const row = await db.prisma.signatureTransaction.findUniqueOrThrow({
      where: { universignId: tx },
      include: { syncLog: true, signers: true },
    });
    assert.equal(row.syncCount, 1);
    assert.equal(row.syncLog.length, 1);
    assert.equal(row.signers.length, 1);
  });

  test('status counters follow inserts and moves, as the database records them', async () => {
    const before = await counts();
    const tx = 'tx_records_counts';
    await activities.recordSyncResult(full(tx, 1, 'EN_COURS', null, 'started'));
    await activities.recordSyncResult(full(tx, 2, 'SIGNE', 'EN_COURS', 'completed'));
    const afterMoves = await counts();
    const delta = (status: string, index: 0 | 1) => (afterMoves[status]?.[index] ?? 0) - (before[status]?.[index] ?? 0);
    assert.equal(delta('EN_COURS', 0), 0, 'in EN_COURS, then out of it');
    assert.equal(delta('EN_COURS', 1), 1);
    assert.equal(delta('SIGNE', 0), 1);
    assert.equal(delta('SIGNE', 1), 1);

    const real = await db.prisma.signatureTransaction.groupBy({ by: ['status'], _count: { _all: true } });
    for (const group of real) assert.equal(afterMoves[group.status]?.[0], group._count._all, `${group.status} counter equals the rows`);
    await db.prisma.signatureTransaction.delete({ where: { universignId: tx } });
    assert.equal((await counts()).SIGNE?.[0], before.SIGNE?.[0] ?? 0, 'a deleted row leaves the count');
  });
});
