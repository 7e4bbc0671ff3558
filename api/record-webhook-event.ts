/**
 * Records an authenticated webhook event in one statement (the webhook's only database round
 * trip before its answer): unique on the event id, a repeat counts as a duplicate. In the same
 * statement it decides what delivery the event needs and takes the delivery lease for it:
 * - a new event whose transaction is recorded as final is `ignored` (no signal, no new run);
 * - a new event is `received` with a lease of DELIVERY_LEASE_MS: this API signals it right away,
 *   the background redelivery takes it only once the lease has passed (a replica or a restart);
 * - a repeat of an event still undelivered once its lease passed (Universign retrying after our
 *   503, or a crash in between) takes a new lease and is delivered again.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { utcTimestamp } from '../activities/sql-time';
import { FINAL_STATUSES } from '../workflows/status-machine';
import { eventTransactionMetadata } from './event-transaction-metadata';
import type { UniversignEvent } from './parse-universign-event';

/** How long the API that took an event has to signal it before the redelivery may take it. */
export const DELIVERY_LEASE_MS = 10_000;

/** What delivery needs of a recorded event (no payload beyond the transaction's metadata). */
export interface PendingWebhookEvent {
  id: bigint;
  eventId: string;
  type: string;
  universignTransactionId: string;
  receivedAt: Date;
  /** The transaction's metadata carried by the event (names the Sage document), if any. */
  metadata: Record<string, string> | null;
  /** When the delivery lease of whoever took the event ends (then the redelivery may take it). */
  leaseUntil: Date;
}

export type RecordedWebhookEvent =
  | { kind: 'new'; status: 'received' | 'ignored'; event: PendingWebhookEvent }
  | { kind: 'duplicate'; status: string; deliverAgain: boolean; event: PendingWebhookEvent };

interface RecordedRow {
  id: bigint;
  inserted: boolean;
  claimed: boolean;
  status: string;
  received_at: Date;
  next_delivery_at: Date;
}

export async function recordWebhookEvent(
  prisma: PrismaClient,
  event: UniversignEvent,
  signatureKid: string,
  rawPayload: unknown,
  now: Date = new Date(),
): Promise<RecordedWebhookEvent> {
  const lease = new Date(now.getTime() + DELIVERY_LEASE_MS);
  const [row] = await prisma.$queryRaw<RecordedRow[]>`
    INSERT INTO "webhook_events" AS e
      ("event_id", "type", "universign_transaction_id", "event_created_at", "received_at", "signature_kid",
       "payload", "status", "next_delivery_at")
    VALUES (
      ${event.eventId}, ${event.type}, ${event.transactionId},
      ${event.createdAt ? utcTimestamp(event.createdAt) : null}::timestamp(3), ${utcTimestamp(now)}, ${signatureKid},
      ${JSON.stringify(rawPayload)}::jsonb,
      CASE WHEN EXISTS (
        SELECT 1 FROM "signature_transactions" t
        WHERE t."universign_id" = ${event.transactionId} AND t."status"::text = ANY(${[...FINAL_STATUSES]}::text[])
      ) THEN 'ignored' ELSE 'received' END,
      ${utcTimestamp(lease)})
    ON CONFLICT ("event_id") DO UPDATE SET
      "duplicate_count" = e."duplicate_count" + 1,
      "next_delivery_at" = CASE
        WHEN e."status" = 'received' AND e."next_delivery_at" <= ${utcTimestamp(now)} THEN ${utcTimestamp(lease)}
        ELSE e."next_delivery_at" END
    RETURNING e."id", (e.xmax = 0) AS "inserted", e."status", e."received_at", e."next_delivery_at",
      (e."status" = 'received' AND e."next_delivery_at" = ${utcTimestamp(lease)}) AS "claimed"`;
  if (!row) throw new Error(`recording webhook event ${event.eventId} returned no row`);
  const pending: PendingWebhookEvent = {
    id: row.id,
    eventId: event.eventId,
    type: event.type,
    universignTransactionId: event.transactionId,
    receivedAt: row.received_at,
    metadata: eventTransactionMetadata(event.payloadObject),
    leaseUntil: row.next_delivery_at,
  };
  if (row.inserted) return { kind: 'new', status: row.status === 'ignored' ? 'ignored' : 'received', event: pending };
  return { kind: 'duplicate', status: row.status, deliverAgain: row.claimed, event: pending };
}
