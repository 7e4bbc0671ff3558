/**
 * The webhook delivery queue (signals right after the answer) and the background redelivery
 * (events the queue could not signal), started with the app and drained when it closes.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startWebhookRedelivery } from '../webhooks/start-webhook-redelivery';
import { createWebhookDeliveryQueue, type WebhookDeliveryQueue } from '../webhooks/webhook-delivery-queue';

declare module 'fastify' {
  interface FastifyInstance {
    webhookDeliveries: WebhookDeliveryQueue;
  }
}

export const webhookDeliveryPlugin = fp(
  async (app: FastifyInstance) => {
    const { deps } = app;
    const queue = createWebhookDeliveryQueue(deps, app.log, {
      onSettled: (result, seconds) => {
        app.metrics.webhookDeliveries.inc({ result });
        app.metrics.webhookDeliveryDelay.observe({ result }, seconds);
      },
    });
    app.decorate('webhookDeliveries', queue);
    const stopRedelivery =
      deps.settings.redeliveryIntervalMs > 0 ? startWebhookRedelivery(deps, app.log, deps.settings.redeliveryIntervalMs) : null;
    app.addHook('onClose', async () => {
      await stopRedelivery?.();
      await queue.close();
    });
  },
  { name: 'webhook-delivery', dependencies: ['metrics'] },
);
