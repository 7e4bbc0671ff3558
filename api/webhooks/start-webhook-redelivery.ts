/**
 * The API's background redelivery of webhook events recorded but not signalled: one pass
 * (shared/webhooks/redeliver-pending-webhook-events.ts) every interval, one pass at a time.
 */
import type { FastifyBaseLogger } from 'fastify';
import { redeliverPendingWebhookEvents } from '../../shared/webhooks/redeliver-pending-webhook-events';
import type { AppDeps } from '../app-deps';

/** Runs the redelivery every `intervalMs` until stopped. */
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
