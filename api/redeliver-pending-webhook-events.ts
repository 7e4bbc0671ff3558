/**
 * The outbox side of webhooks: events recorded but not signalled (Temporal was unreachable, or
 * the process died in between) are delivered again in the background, oldest first.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppDeps } from './app-deps';
import { deliverWebhookEvent, WorkflowUnavailableError } from './deliver-webhook-event';

/** Leave fresh events to the request that recorded them. */
const MIN_AGE_MS = 3_000;
const BATCH = 50;

export async function redeliverPendingWebhookEvents(
  deps: AppDeps,
  log: FastifyBaseLogger,
  now: Date = new Date(),
): Promise<{ delivered: number; pending: number }> {
  const pending = await deps.prisma.webhookEvent.findMany({
    where: { status: 'received', receivedAt: { lt: new Date(now.getTime() - MIN_AGE_MS) } },
    orderBy: { id: 'asc' },
    take: BATCH,
  });
  let delivered = 0;
  for (const event of pending) {
    try {
      const outcome = await deliverWebhookEvent(deps, event);
      delivered += 1;
      log.info({ eventId: event.eventId, outcome }, 'pending webhook event delivered');
    } catch (err) {
      if (!(err instanceof WorkflowUnavailableError)) throw err;
      if (err.transient) {
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
