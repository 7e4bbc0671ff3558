/**
 * The outbox side of webhooks: events recorded but not signalled (Temporal was unreachable, the
 * process died in between, or its queue was full) are delivered again in the background, oldest
 * lease first. Each pass claims its batch by moving the events' lease forward under
 * `FOR UPDATE SKIP LOCKED`, so API replicas never take the same event at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import { utcTimestamp } from '../activities/sql-time';
import type { AppDeps } from './app-deps';
import { deliverWebhookEvent, WorkflowUnavailableError } from './deliver-webhook-event';
import { storedEventTransactionMetadata } from './event-transaction-metadata';
import { DELIVERY_LEASE_MS, type PendingWebhookEvent } from './record-webhook-event';

const BATCH = 50;

interface ClaimedRow {
  id: bigint;
  event_id: string;
  type: string;
  universign_transaction_id: string;
  received_at: Date;
  next_delivery_at: Date;
  payload: unknown;
}

export async function claimPendingWebhookEvents(deps: AppDeps, now: Date = new Date()): Promise<PendingWebhookEvent[]> {
  const lease = new Date(now.getTime() + DELIVERY_LEASE_MS);
  const rows = await deps.prisma.$queryRaw<ClaimedRow[]>`
    UPDATE "webhook_events" SET "next_delivery_at" = ${utcTimestamp(lease)}
    WHERE "id" IN (
      SELECT "id" FROM "webhook_events"
      WHERE "status" = 'received' AND "next_delivery_at" <= ${utcTimestamp(now)}
      ORDER BY "next_delivery_at", "id"
      LIMIT ${BATCH}
      FOR UPDATE SKIP LOCKED)
    RETURNING "id", "event_id", "type", "universign_transaction_id", "received_at", "next_delivery_at", "payload"`;
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((row) => ({
      id: row.id,
      eventId: row.event_id,
      type: row.type,
      universignTransactionId: row.universign_transaction_id,
      receivedAt: row.received_at,
      metadata: storedEventTransactionMetadata(row.payload),
      leaseUntil: row.next_delivery_at,
    }));
}

export async function redeliverPendingWebhookEvents(
  deps: AppDeps,
  log: FastifyBaseLogger,
  now: Date = new Date(),
): Promise<{ delivered: number; pending: number }> {
  const pending = await claimPendingWebhookEvents(deps, now);
  let delivered = 0;
  for (const event of pending) {
    try {
      const outcome = await deliverWebhookEvent(deps, event);
      delivered += 1;
      log.info({ eventId: event.eventId, outcome }, 'pending webhook event delivered');
    } catch (err) {
      if (!(err instanceof WorkflowUnavailableError)) throw err;
      if (err.transient) {
        // The rest of the batch keeps its lease and is taken again once it passes.
        log.warn({ eventId: event.eventId, err: err.message }, 'Temporal still unavailable; pending events kept');
        break;
      }
      // Refused for a reason of its own: kept (with its error) for an operator, the others go on.
      log.error({ eventId: event.eventId, err: err.message }, 'pending webhook event refused by Temporal');
    }
  }
  return { delivered, pending: pending.length - delivered };
}

/** Runs the redelivery every `intervalMs` until stopped; one pass at a time. */
export function startWebhookRedelivery(deps: AppDeps, log: FastifyBaseLogger, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => redeliverPendingWebhookEvents(deps, log))
      .catch((err: unknown) => log.error({ err }, 'webhook redelivery pass failed'));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
