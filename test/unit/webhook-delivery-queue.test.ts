/**
 * The webhook delivery queue with Temporal and the database stood in for: at most `concurrency`
 * signals in flight, events whose lease passed left to the redelivery, overflow dropped (left to
 * the redelivery), close() waits for the signals in flight only, and a queued event's signal runs in the
 * trace context of the request that queued it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { AppDeps } from '../../api/app-deps';
import { createWebhookDeliveryQueue, type DeliveryResult } from '../../api/webhooks/webhook-delivery-queue';
import type { PendingWebhookEvent } from '../../shared/webhooks/webhook-store';

function event(n: number, leaseMs = 10_000): PendingWebhookEvent {
  return {
    id: BigInt(n),
    eventId: `evt_${n}`,
    type: 'transaction.lifecycle.started',
    universignTransactionId: `tx_${n}`,
    receivedAt: new Date(),
    metadata: null,
    leaseUntil: new Date(Date.now() + leaseMs),
  };
}

/** Deps whose signalWithStart waits for `release`, counting calls in flight; marks are no-ops. */
function standIns() {
  let inFlight = 0;
  let maxInFlight = 0;
  const signalled: string[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const deps = {
    settings: { taskQueue: 'q', poll: {} },
    webhooks: { markDelivered: async () => undefined, markFailed: async () => undefined },
    temporal: {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        signalWithStart: async (_type: string, options: { signalArgs: Array<{ eventId: string }> }) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await gate;
          inFlight -= 1;
          signalled.push(options.signalArgs[0]?.eventId ?? '');
        },
      },
    },
  } as unknown as AppDeps;
  return {
    deps,
    signalled,
    get maxInFlight() {
      return maxInFlight;
    },
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

test('signals at most `concurrency` events at once, and every queued one in the end', async () => {
  const fake = standIns();
  const results: DeliveryResult[] = [];
  const queue = createWebhookDeliveryQueue(fake.deps, log, { concurrency: 3, onSettled: (result) => results.push(result) });
  for (let n = 0; n < 10; n++) assert.equal(queue.enqueue(event(n)), true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(fake.maxInFlight, 3);
  assert.equal(queue.size, 10);
  fake.open();
  while (queue.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(fake.signalled.sort(), Array.from({ length: 10 }, (_, n) => `evt_${n}`).sort());
  assert.deepEqual(new Set(results), new Set(['signalled']));
  await queue.close();
});

test('an event whose lease passed while it waited is left to the redelivery, not signalled', async () => {
  const fake = standIns();
  const results: DeliveryResult[] = [];
  const queue = createWebhookDeliveryQueue(fake.deps, log, { concurrency: 1, onSettled: (result) => results.push(result) });
  queue.enqueue(event(1));
  queue.enqueue(event(2, 30));
  await new Promise((resolve) => setTimeout(resolve, 60));
  fake.open();
  while (queue.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(fake.signalled, ['evt_1']);
  assert.deepEqual(results, ['signalled', 'lease_expired']);
  await queue.close();
});

test('beyond maxQueued events are dropped (they stay recorded for the redelivery); close leaves the waiting ones', async () => {
  const fake = standIns();
  const results: DeliveryResult[] = [];
  const queue = createWebhookDeliveryQueue(fake.deps, log, { concurrency: 1, maxQueued: 2, onSettled: (result) => results.push(result) });
  assert.equal(queue.enqueue(event(1)), true, 'taken at once');
  assert.equal(queue.enqueue(event(2)), true);
  assert.equal(queue.enqueue(event(3)), true);
  assert.equal(queue.enqueue(event(4)), false, 'the queue is full');
  assert.deepEqual(results, ['dropped']);
  const closing = queue.close();
  fake.open();
  await closing;
  assert.deepEqual(fake.signalled, ['evt_1'], 'the one in flight finished; the waiting ones were left');
  assert.equal(queue.enqueue(event(5)), false, 'a closed queue takes nothing');
});

test('an event that waited in the queue is signalled in the (trace) context it was queued in', async () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const queuedBy = createContextKey('queued by');
    const fake = standIns();
    const seen: unknown[] = [];
    const signal = fake.deps.temporal.workflow.signalWithStart;
    fake.deps.temporal.workflow.signalWithStart = ((...args: Parameters<typeof signal>) => {
      seen.push(context.active().getValue(queuedBy));
      return signal(...args);
    }) as typeof signal;
    // One at a time: the later events start from the first one's completion, outside their request's context.
    const queue = createWebhookDeliveryQueue(fake.deps, log, { concurrency: 1 });
    for (let n = 0; n < 3; n++) context.with(ROOT_CONTEXT.setValue(queuedBy, `request ${n}`), () => queue.enqueue(event(n)));
    fake.open();
    while (queue.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen, ['request 0', 'request 1', 'request 2']);
    await queue.close();
  } finally {
    context.disable();
  }
});
