/**
 * The reconciliation's share of webhook delivery: one batch of events recorded but never
 * signalled whose lease ended before `dueBefore`, claimed and delivered exactly as the API's own
 * redelivery does (shared/webhooks/), so the two never take the same event at once.
 */
import type { LogMetadata } from '@temporalio/common';
import type { WebhookDeliveryDeps } from '../../shared/webhooks/deliver-webhook-event';
import { type RedeliveryLog, redeliverPendingWebhookEvents } from '../../shared/webhooks/redeliver-pending-webhook-events';
import type { WebhookEventBatchRequest, WebhookEventBatchResult } from '../../workflows/reconcile-messages';
import { activityLogger } from '../activity-logger';
import type { ReconcileMetrics } from './reconcile-metrics';

export interface OverdueWebhookEventDeps extends WebhookDeliveryDeps {
  metrics?: ReconcileMetrics;
  clock?: () => Date;
}

// The shared pass logs pino-style (details first); the activity's logger takes the message first.
const log: RedeliveryLog = {
  info: (details, message) => activityLogger().info(message, details as LogMetadata),
  warn: (details, message) => activityLogger().warn(message, details as LogMetadata),
  error: (details, message) => activityLogger().error(message, details as LogMetadata),
};

export function createDeliverOverdueWebhookEvents({ metrics, clock = () => new Date(), ...deps }: OverdueWebhookEventDeps) {
  return async function deliverOverdueWebhookEvents(request: WebhookEventBatchRequest): Promise<WebhookEventBatchResult> {
    const pass = await redeliverPendingWebhookEvents(deps, log, { now: clock(), dueBefore: new Date(request.dueBefore) });
    metrics?.reconcileActions('event_signalled', pass.signalled);
    metrics?.reconcileActions('event_ignored', pass.ignored);
    metrics?.reconcileActions('failed', pass.pending);
    return { claimed: pass.claimed, signalled: pass.signalled, ignored: pass.ignored, failed: pass.pending, interrupted: pass.interrupted };
  };
}
