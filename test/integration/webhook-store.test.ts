/**
 * The webhook audit table's hot path against a real database: one statement records an event and
 * decides its delivery (new, ignored for a final transaction, duplicate, or redelivered once its
 * lease passed); claims by concurrent redeliveries never overlap; outcomes are marked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { UniversignEvent } from '../../api/webhooks/parse-universign-event';
import { createWebhookStore, DELIVERY_LEASE_MS, type WebhookStore } from '../../shared/webhooks/webhook-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: pg.Pool;
let store: WebhookStore;

before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  store = createWebhookStore(pool);
});
after(async () => {
  await pool?.end();
  await db?.close();
});

function event(eventId: string, transactionId = `tx_${eventId}`): UniversignEvent {
  return {
    eventId,
    type: 'transaction.lifecycle.started',
    createdAt: '2026-11-30T10:00:00Z',
    transactionId,
    payloadObject: { object: 'transaction', id: transactionId, metadata: { sage_document_type: 'devis', other: 3 } },
  };
}

describe('webhook store', () => {
  test('a new event is received with a lease; a repeat within it is a counted duplicate; after it, delivered again', async () => {
    const t0 = new Date('2026-11-30T12:00:00.000Z');
    const first = await store.record(event('evt_ws_1'), 'kid-1', { id: 'evt_ws_1' }, t0);
    assert.equal(first.kind, 'new');
    assert.equal(first.status, 'received');
    assert.equal(first.event.receivedAt.toISOString(), t0.toISOString());
    assert.equal(first.event.leaseUntil.getTime(), t0.getTime() + DELIVERY_LEASE_MS);
    assert.deepEqual(first.event.metadata, { sage_document_type: 'devis' }, 'only string metadata is kept');

    const repeat = await store.record(event('evt_ws_1'), 'kid-1', { id: 'evt_ws_1' }, new Date(t0.getTime() + 1_000));
    assert.equal(repeat.kind, 'duplicate');
    assert.equal(repeat.kind === 'duplicate' && repeat.deliverAgain, false);

    const later = new Date(t0.getTime() + DELIVERY_LEASE_MS + 1_000);
    const retried = await store.record(event('evt_ws_1'), 'kid-1', { id: 'evt_ws_1' }, later);
    assert.equal(retried.kind === 'duplicate' && retried.deliverAgain, true, 'undelivered past its lease: taken again');
    assert.equal(retried.event.leaseUntil.getTime(), later.getTime() + DELIVERY_LEASE_MS);

    const { rows } = await pool.query('SELECT duplicate_count, status, payload FROM webhook_events WHERE event_id = $1', ['evt_ws_1']);
    assert.equal(rows[0].duplicate_count, 2);
    assert.equal(rows[0].status, 'received');
    assert.deepEqual(rows[0].payload, { id: 'evt_ws_1' });

    await store.markDelivered(retried.event.id, 'signalled', later);
    const delivered = await store.record(event('evt_ws_1'), 'kid-1', {}, new Date(later.getTime() + 60_000));
    assert.equal(delivered.kind === 'duplicate' && delivered.deliverAgain, false, 'a delivered event is never delivered again');
    const row = await db.prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: 'evt_ws_1' } });
    assert.equal(row.status, 'signalled');
    assert.equal(row.signalledAt?.toISOString(), later.toISOString());
    assert.equal(row.deliveryAttempts, 1);
  });

  test('an event for a transaction recorded as final is recorded as ignored', async () => {
    await db.prisma.signatureTransaction.create({
      data: { universignId: 'tx_ws_final', workflowId: 'universign-tx_ws_final', status: 'SIGNE' },
    });
    const recorded = await store.record(event('evt_ws_final', 'tx_ws_final'), 'kid-1', {});
    assert.equal(recorded.kind, 'new');
    assert.equal(recorded.status, 'ignored');
    const row = await db.prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: 'evt_ws_final' } });
    assert.equal(row.status, 'ignored');
  });

  test('concurrent claims take disjoint events, only once their lease passed, and move it forward', async () => {
    const t0 = new Date('2026-11-30T13:00:00.000Z');
    for (let i = 0; i < 30; i++) await store.record(event(`evt_ws_claim_${i}`), 'kid-1', {}, t0);
    assert.deepEqual(await store.claimPending(new Date(t0.getTime() + 1_000)), [], 'none while the recording API holds the lease');

    const after = new Date(t0.getTime() + DELIVERY_LEASE_MS + 1);
    const [a, b] = await Promise.all([store.claimPending(after), store.claimPending(after)]);
    const ids = [...a, ...b].map((pending) => pending.eventId).filter((id) => id.startsWith('evt_ws_claim_'));
    assert.equal(ids.length, 30, 'every pending event claimed');
    assert.equal(new Set(ids).size, 30, 'none claimed twice');
    assert.ok([...a, ...b].every((pending) => pending.leaseUntil.getTime() === after.getTime() + DELIVERY_LEASE_MS));
    assert.deepEqual(await store.claimPending(new Date(after.getTime() + 1_000)), [], 'claimed events wait for their new lease');

    const failed = a[0] ?? b[0];
    assert.ok(failed);
    await store.markFailed(failed.id, 'Temporal unavailable');
    const row = await db.prisma.webhookEvent.findUniqueOrThrow({ where: { eventId: failed.eventId } });
    assert.equal(row.deliveryAttempts, 1);
    assert.equal(row.lastError, 'Temporal unavailable');
    assert.equal(row.status, 'received', 'still pending, for the next pass');
  });
});
