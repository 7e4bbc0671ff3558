/**
 * Two API replicas redelivering recorded webhook events at the same time, on the same database
 * (each with its own connection pool, as two processes have): every pending event is signalled
 * exactly once and marked delivered. Temporal is stood in for by a signal counter whose calls take
 * a while, so the two redeliveries overlap.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import type { AppDeps } from '../../api/app-deps';
import type { UniversignEvent } from '../../api/webhooks/parse-universign-event';
import { redeliverPendingWebhookEvents } from '../../shared/webhooks/redeliver-pending-webhook-events';
import { createWebhookStore, DELIVERY_LEASE_MS } from '../../shared/webhooks/webhook-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const EVENTS = 40;

let db: TestDatabase;
const pools: pg.Pool[] = [];

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await Promise.allSettled(pools.map((pool) => pool.end()));
  await db?.close();
});

function event(n: number): UniversignEvent {
  return {
    eventId: `evt_replicas_${n}`,
    type: 'transaction.lifecycle.started',
    createdAt: '2026-11-30T10:00:00Z',
    transactionId: `tx_replicas_${n}`,
    payloadObject: { object: 'transaction', id: `tx_replicas_${n}` },
  };
}

/** One API replica: its own pool and webhook store; its signals go to the shared counter. */
function replica(signals: Map<string, number>): AppDeps {
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pools.push(pool);
  return {
    prisma: db.prisma,
    webhooks: createWebhookStore(pool),
    temporal: {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        signalWithStart: async (_type: string, options: { signalArgs: Array<{ eventId: string }> }) => {
          const eventId = options.signalArgs[0]?.eventId ?? '';
          signals.set(eventId, (signals.get(eventId) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 5));
        },
      },
    },
    settings: {
      apiTokens: [],
      signatureHeader: 'x-jws-signature',
      webhookMaxBytes: 1_000_000,
      taskQueue: 'universign-sync',
      poll: { minSeconds: 60, maxSeconds: 3600, withoutWebhooksSeconds: 900 },
      redeliveryIntervalMs: 0,
    },
  } as unknown as AppDeps;
}

test('two replicas redelivering at once signal each pending event exactly once', async () => {
  const signals = new Map<string, number>();
  const [a, b] = [replica(signals), replica(signals)];
  const recordedAt = new Date(Date.now() - DELIVERY_LEASE_MS - 1_000); // recorded, never signalled, lease passed
  for (let n = 0; n < EVENTS; n++) await a.webhooks.record(event(n), 'kid-1', {}, recordedAt);

  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  // Several passes each, overlapping, as two replicas' timers would run them.
  const passes = await Promise.all([
    redeliverPendingWebhookEvents(a, log),
    redeliverPendingWebhookEvents(b, log),
    redeliverPendingWebhookEvents(a, log),
    redeliverPendingWebhookEvents(b, log),
  ]);

  assert.equal(
    passes.reduce((sum, pass) => sum + pass.delivered, 0),
    EVENTS,
    `every event delivered by one pass: ${JSON.stringify(passes)}`,
  );
  assert.equal(signals.size, EVENTS, 'every pending event signalled');
  const twice = [...signals].filter(([, count]) => count > 1);
  assert.deepEqual(twice, [], 'no event signalled twice');
  const rows = await db.prisma.webhookEvent.findMany({ where: { eventId: { startsWith: 'evt_replicas_' } } });
  assert.equal(rows.length, EVENTS);
  assert.ok(
    rows.every((row) => row.status === 'signalled' && row.deliveryAttempts === 1),
    'each marked signalled after one delivery',
  );
});

test('replicas whose claims meet on the same rows still signal each event once', async () => {
  const signals = new Map<string, number>();
  const [a, b] = [replica(signals), replica(signals)];
  const recordedAt = new Date(Date.now() - DELIVERY_LEASE_MS - 1_000);
  for (let n = 0; n < EVENTS; n++) await a.webhooks.record(event(1_000 + n), 'kid-1', {}, recordedAt);
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

  // A third replica's claim is under way: its transaction holds the pending rows. Both replicas
  // start their pass meanwhile, so their claims meet on those rows rather than one after the other.
  const claimUnderWay = new pg.Client({ connectionString: db.url });
  await claimUnderWay.connect();
  try {
    await claimUnderWay.query('BEGIN');
    await claimUnderWay.query(`SELECT "id" FROM "webhook_events" WHERE "status" = 'received' FOR UPDATE`);
    const meeting = [redeliverPendingWebhookEvents(a, log), redeliverPendingWebhookEvents(b, log)];
    const settled = Promise.allSettled(meeting);
    // Until both passes are over (they skip the held rows) or both wait on them (then they race on release).
    const deadline = Date.now() + 3_000;
    let over = false;
    void settled.then(() => {
      over = true;
    });
    while (!over && Date.now() < deadline) {
      const waiting = await claimUnderWay
        .query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE "wait_event_type" = 'Lock' AND "datname" = current_database()`,
        )
        .then((result) => Number(result.rows[0]?.n ?? 0));
      if (waiting >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await claimUnderWay.query('COMMIT');
    await Promise.all(meeting);
  } finally {
    await claimUnderWay.end();
  }
  // Then both replicas' timers go on until nothing is pending.
  for (let pass = 0; pass < 5; pass++) {
    await Promise.all([redeliverPendingWebhookEvents(a, log), redeliverPendingWebhookEvents(b, log)]);
  }

  const ours = [...signals].filter(([eventId]) => Number(eventId.replace('evt_replicas_', '')) >= 1_000);
  assert.equal(ours.length, EVENTS, 'every pending event signalled');
  assert.deepEqual(
    ours.filter(([, count]) => count > 1),
    [],
    'no event signalled twice',
  );
});
