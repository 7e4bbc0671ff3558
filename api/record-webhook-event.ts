/**
 * Records an authenticated webhook event, unique on its event id. A repeat increments the
 * duplicate count and says whether the earlier copy still awaits delivery to its workflow.
 */
import { Prisma, type PrismaClient, type WebhookEvent } from '../prisma/generated/client';
import type { UniversignEvent } from './parse-universign-event';

/** A copy of an undelivered event arriving this long after the first is a retry worth delivering again. */
export const REDELIVER_DUPLICATE_AFTER_MS = 10_000;

export type RecordedWebhookEvent =
  | { kind: 'new'; event: WebhookEvent }
  | { kind: 'duplicate'; event: WebhookEvent; deliverAgain: boolean };

export async function recordWebhookEvent(
  prisma: PrismaClient,
  event: UniversignEvent,
  signatureKid: string,
  rawPayload: unknown,
  now: Date = new Date(),
): Promise<RecordedWebhookEvent> {
  try {
    const created = await prisma.webhookEvent.create({
      data: {
        eventId: event.eventId,
        type: event.type,
        universignTransactionId: event.transactionId,
        eventCreatedAt: event.createdAt ? new Date(event.createdAt) : null,
        receivedAt: now,
        signatureKid,
        payload: rawPayload as Prisma.InputJsonValue,
      },
    });
    return { kind: 'new', event: created };
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
  }
  const existing = await prisma.webhookEvent.update({
    where: { eventId: event.eventId },
    data: { duplicateCount: { increment: 1 } },
  });
  const deliverAgain =
    existing.status === 'received' && now.getTime() - existing.receivedAt.getTime() >= REDELIVER_DUPLICATE_AFTER_MS;
  return { kind: 'duplicate', event: existing, deliverAgain };
}
