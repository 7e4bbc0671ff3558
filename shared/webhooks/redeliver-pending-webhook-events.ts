/**
 * The outbox side of webhooks: events recorded but not signalled (Temporal was unreachable, the
 * process died in between, or its queue was full) are delivered again, oldest lease first. Each
 * pass claims its batch by moving the events' lease forward under `FOR UPDATE SKIP LOCKED`
 * (webhook-store.ts), so API replicas and the worker's reconciliation never take the same event at once.
 */

import { webhookEventLogIds } from '../transaction-log-ids';
import { deliverWebhookEvent, type WebhookDeliveryDeps, WorkflowUnavailableError } from './deliver-webhook-event';

/** pino's argument order (the API's logger; the worker adapts its activity logger). */
export interface RedeliveryLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RedeliveryOptions {
  now?: Date;
  /** Take only events whose lease had passed by then (default `now`). */
  dueBefore?: Date;
}

export interface RedeliveryPass {
  /** Events claimed by this pass. */
  claimed: number;
  /** Signalled or marked ignored (their transaction is final or its workflow completed). */
  delivered: number;
  signalled: number;
  ignored: number;
  /** Refused by Temporal for a reason of their own: kept `received`, with their error. */
  failed: number;
  /** Claimed but not attempted or not delivered: they are taken again once their lease passes. */
  pending: number;
  /** Temporal was unreachable: the pass stopped early. */
  interrupted: boolean;
}

export async function redeliverPendingWebhookEvents(
  deps: WebhookDeliveryDeps,
  log: RedeliveryLog,
  { now = new Date(), dueBefore = now }: RedeliveryOptions = {},
): Promise<RedeliveryPass> {
  const claimed = await deps.webhooks.claimPending(now, dueBefore);
  const pass: RedeliveryPass = {
    claimed: claimed.length,
    delivered: 0,
    signalled: 0,
    ignored: 0,
    failed: 0,
    pending: 0,
    interrupted: false,
  };
  for (const event of claimed) {
    try {
      const outcome = await deliverWebhookEvent(deps, event, { log });
      pass.delivered += 1;
      pass[outcome] += 1;
      log.info({ ...webhookEventLogIds(event), outcome }, 'pending webhook event delivered');
    } catch (err) {
      if (!(err instanceof WorkflowUnavailableError)) throw err;
      if (err.transient) {
        // The rest of the batch keeps its lease and is taken again once it passes.
        log.warn({ ...webhookEventLogIds(event), err: err.message }, 'Temporal still unavailable; pending events kept');
        pass.interrupted = true;
        break;
      }
      // Refused for a reason of its own: kept (with its error) for an operator, the others go on.
      pass.failed += 1;
      log.error({ ...webhookEventLogIds(event), err: err.message }, 'pending webhook event refused by Temporal');
    }
  }
  pass.pending = pass.claimed - pass.delivered;
  return pass;
}
