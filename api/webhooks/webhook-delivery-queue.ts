/**
 * Signals recorded webhook events right after their answer, a bounded number at a time, so the
 * webhook's answer never waits on Temporal. The events are durable before they are queued: one
 * this process cannot signal (Temporal away, a crash, a queue full) stays `received` in the
 * database, and the background redelivery takes it once its lease has passed.
 */
import { type Context, context } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { webhookEventLogIds } from '../../shared/transaction-log-ids';
import { type DeliveryOutcome, deliverWebhookEvent, WorkflowUnavailableError } from '../../shared/webhooks/deliver-webhook-event';
import type { PendingWebhookEvent } from '../../shared/webhooks/webhook-store';
import type { AppDeps } from '../app-deps';

export type DeliveryResult = DeliveryOutcome | 'unavailable' | 'lease_expired' | 'dropped' | 'failed';

export interface WebhookDeliveryQueueOptions {
  /** Signals in flight at once: enough to keep Temporal busy, few enough to keep the API's latency. */
  concurrency?: number;
  /** Events waiting beyond this are left to the redelivery (memory stays bounded under a flood). */
  maxQueued?: number;
  /** Told of every event's fate, with the seconds from its receipt to that fate. */
  onSettled?: (result: DeliveryResult, secondsSinceReceipt: number) => void;
}

export interface WebhookDeliveryQueue {
  /** Queues an event this process holds the lease of; false when it was left to the redelivery. */
  enqueue(event: PendingWebhookEvent): boolean;
  /** Events queued or in flight. */
  readonly size: number;
  /** Waits for the events in flight; queued ones not yet started are left to the redelivery. */
  close(): Promise<void>;
}

export function createWebhookDeliveryQueue(
  deps: AppDeps,
  log: FastifyBaseLogger,
  { concurrency = 32, maxQueued = 10_000, onSettled }: WebhookDeliveryQueueOptions = {},
): WebhookDeliveryQueue {
  // Each event with the trace context it was queued in (its webhook request's): its signal joins that trace.
  const waiting: { event: PendingWebhookEvent; queuedIn: Context }[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const settle = (event: PendingWebhookEvent, result: DeliveryResult) =>
    onSettled?.(result, Math.max(0, Date.now() - event.receivedAt.getTime()) / 1000);

  async function deliver(event: PendingWebhookEvent): Promise<void> {
    // Past its lease the redelivery may already hold it: leave it there rather than signal twice.
    if (Date.now() >= event.leaseUntil.getTime()) return settle(event, 'lease_expired');
    try {
      const outcome = await deliverWebhookEvent(deps, event, { checkFinal: false, log });
      settle(event, outcome);
    } catch (err) {
      if (err instanceof WorkflowUnavailableError) {
        log.warn(
          { ...webhookEventLogIds(event), err: err.message },
          'webhook recorded, workflow not reachable yet: left to the redelivery',
        );
        settle(event, 'unavailable');
      } else {
        log.error({ ...webhookEventLogIds(event), err }, 'webhook delivery failed: left to the redelivery');
        settle(event, 'failed');
      }
    }
  }

  function pump(): void {
    while (!closed && inFlight.size < concurrency && waiting.length > 0) {
      const { event, queuedIn } = waiting.shift() as { event: PendingWebhookEvent; queuedIn: Context };
      const running: Promise<void> = context
        .with(queuedIn, () => deliver(event))
        .finally(() => {
          inFlight.delete(running);
          pump();
        });
      inFlight.add(running);
    }
  }

  return {
    enqueue(event) {
      if (closed || waiting.length >= maxQueued) {
        settle(event, 'dropped');
        return false;
      }
      waiting.push({ event, queuedIn: context.active() });
      pump();
      return true;
    },
    get size() {
      return waiting.length + inFlight.size;
    },
    async close() {
      closed = true;
      waiting.length = 0;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
