/**
 * Delivering a recorded webhook event when its outcome cannot be written: the caller still gets
 * the real outcome (or the delivery error), and the failed write is logged, never silently lost.
 * Temporal and the webhook table are stood in for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppDeps } from '../../api/app-deps';
import { deliverWebhookEvent, WorkflowUnavailableError } from '../../shared/webhooks/deliver-webhook-event';
import type { PendingWebhookEvent } from '../../shared/webhooks/webhook-store';

const event: PendingWebhookEvent = {
  id: 7n,
  eventId: 'evt_mark_fails',
  type: 'transaction.lifecycle.started',
  universignTransactionId: 'tx_mark_fails',
  receivedAt: new Date(),
  metadata: null,
  leaseUntil: new Date(Date.now() + 10_000),
};

function standIns(signal: () => Promise<void>) {
  const warnings: Array<{ details: Record<string, unknown>; message: string }> = [];
  const deps = {
    settings: { taskQueue: 'q', poll: {} },
    webhooks: {
      markDelivered: async () => {
        throw new Error('database connection lost');
      },
      markFailed: async () => {
        throw new Error('database connection lost');
      },
    },
    temporal: {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: { signalWithStart: signal },
    },
  } as unknown as AppDeps;
  const log = {
    warn: (details: Record<string, unknown>, message: string) => {
      warnings.push({ details, message });
    },
  };
  return { deps, log, warnings };
}

test('a signalled event whose mark fails is reported signalled, and the failed mark is logged', async () => {
  const { deps, log, warnings } = standIns(async () => undefined);
  assert.equal(await deliverWebhookEvent(deps, event, { checkFinal: false, log }), 'signalled');
  assert.equal(warnings.length, 1, 'one warning');
  assert.equal(warnings[0]?.details.eventId, 'evt_mark_fails');
  assert.match(String(warnings[0]?.details.err), /database connection lost/);
});

test('a failed signal whose failure cannot be recorded throws the delivery error, and logs the failed record', async () => {
  const { deps, log, warnings } = standIns(async () => {
    throw Object.assign(new Error('unavailable'), { code: 14 });
  });
  await assert.rejects(deliverWebhookEvent(deps, event, { checkFinal: false, log }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUnavailableError);
    assert.equal(err.transient, true);
    return true;
  });
  assert.equal(warnings.length, 1, 'one warning');
  assert.match(String(warnings[0]?.details.err), /database connection lost/);
});

test('the native connection\'s deadline (CANCELLED, "Timeout expired", under the SDK\'s wrapper) is transient, and its cause is named', async () => {
  const { deps, log } = standIns(async () => {
    // As @temporalio/client wraps what the core bridge throws when withDeadline's deadline passes.
    throw Object.assign(new Error('Failed to signalWithStart Workflow'), {
      cause: Object.assign(new Error('Timeout expired'), { code: 1 }),
    });
  });
  await assert.rejects(deliverWebhookEvent(deps, event, { checkFinal: false, log }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUnavailableError);
    assert.equal(err.transient, true);
    assert.match(err.message, /Failed to signalWithStart Workflow: Timeout expired/);
    return true;
  });
});
