/**
 * The outbox side of webhooks: events recorded but not signalled (Temporal was unreachable, the
 * process died in between, or its queue was full) are delivered again in the background, oldest
 * lease first. Each pass claims its batch by moving the events' lease forward under
 * `FOR UPDATE SKIP LOCKED` (webhook-store.ts), so API replicas never take the same event at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppDeps } from '../app-deps';
import { deliverWebhookEvent, WorkflowUnavailableError } from './deliver-webhook-event';

export async function redeliverPendingWebhookEvents(
  deps: AppDeps,
  log: FastifyBaseLogger,
  now: Date = new Date(),
): Promise<{ delivered: number; pending: number }> {
  const pending = await deps.webhooks.claimPending(now);
  let delivered = 0;
  for (const event of pending) {
    try {
      const outcome = await deliverWebhookEvent(deps, event, { log });
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
