/**
 * Sends Universign-style webhooks for the simulator: each change becomes a signed event
 * (universign-webhook-event.ts) delivered with retries (universign-webhook-delivery.ts). It can
 * also misbehave as Universign may: duplicate deliveries, delays, and out-of-order delivery
 * (buffer, then `flush()` in shuffled order). Every event and attempt is logged so tests can
 * assert on what the receiver answered.
 */
import { type Delivery, TEST_RETRY_DELAYS_MS, WebhookDeliveries, type WebhookDeliveryAttempt } from './universign-webhook-delivery';
import { buildWebhookEvent, DEFAULT_SIGNATURE_HEADER, signWebhookBody, type WebhookEvent } from './universign-webhook-event';
import type { WebhookKeys } from './universign-webhook-keys';

export interface WebhookSenderOptions {
  targetUrl: string;
  keys: WebhookKeys;
  headerName?: string;
  /** Deliver each event this many times (same id, same bytes), concurrently. Default 1. */
  duplicate?: number;
  /** Wait this long before each event's first attempt. Default 0. */
  delayMs?: number;
  /** Buffer events until flush(), which delivers them in shuffled order. Default false. */
  reorder?: boolean;
  /** Waits between attempts; after the last one the delivery is abandoned. Default TEST_RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[];
  /** Per-attempt timeout; a timeout counts as a failed attempt. Default 5 s. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Business clock for `created_at` (the simulator passes its own). */
  clock?: () => Date;
  /** Source of randomness for the shuffle, so a test can make it reproducible. */
  random?: () => number;
  indent?: number;
  /** Events and attempts kept for events()/deliveries() (oldest dropped first); default 10,000. */
  logLimit?: number;
}

export interface WebhookSender {
  readonly keys: WebhookKeys;
  readonly headerName: string;
  readonly targetUrl: string;
  /** Signs and delivers (or buffers) one event; resolves once it is signed and dispatched. */
  send(type: string, payloadObject: Record<string, unknown>): Promise<WebhookEvent>;
  events(): WebhookEvent[];
  deliveries(): WebhookDeliveryAttempt[];
  /** Events waiting for flush() (reorder mode), counting each copy. */
  buffered(): number;
  /** Delivers the buffered events in shuffled order, one first attempt after another; retries continue in the background. */
  flush(): Promise<void>;
  /** Resolves when nothing is being signed, delivered or waiting for a retry (buffered events excepted). */
  settled(): Promise<void>;
  /** Later attempts, retries included, go to `url`. */
  setTarget(url: string): void;
  clearLog(): void;
  /** Stops: pending retries and buffered events are dropped, attempts in flight are aborted. */
  close(): Promise<void>;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let targetUrl = options.targetUrl;
  const headerName = (options.headerName ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  const duplicate = options.duplicate ?? 1;
  if (!Number.isInteger(duplicate) || duplicate < 1) throw new TypeError('duplicate must be an integer ≥ 1');
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const logLimit = options.logLimit ?? 10_000;
  const keepBounded = (log: unknown[]) => {
    if (log.length > logLimit) log.splice(0, log.length - logLimit);
  };

  const events: WebhookEvent[] = [];
  const attempts: WebhookDeliveryAttempt[] = [];
  const waiting: Delivery[] = [];
  const deliveries = new WebhookDeliveries({
    targetUrl: () => targetUrl,
    headerName,
    delayMs: options.delayMs ?? 0,
    retryDelaysMs: [...(options.retryDelaysMs ?? TEST_RETRY_DELAYS_MS)],
    timeoutMs: options.timeoutMs ?? 5_000,
    fetch: options.fetch ?? globalThis.fetch,
    onAttempt: (attempt) => {
      attempts.push(attempt);
      keepBounded(attempts);
    },
  });
  // Signing is chained so events are dispatched in the order they happened.
  let pipeline: Promise<unknown> = Promise.resolve();

  function dispatch(event: WebhookEvent): void {
    if (deliveries.closed) return;
    for (let copy = 1; copy <= duplicate; copy += 1) {
      if (options.reorder) waiting.push({ event, copy });
      else void deliveries.track(deliveries.deliver({ event, copy }));
    }
  }

  return {
    keys: options.keys,
    headerName,
    get targetUrl() {
      return targetUrl;
    },
    send(type, payloadObject) {
      const createdAt = clock().toISOString();
      const { id, rawBody } = buildWebhookEvent({
        type,
        payloadObject,
        createdAt,
        ...(options.indent !== undefined ? { indent: options.indent } : {}),
      });
      // The key is the one current when the change happened, even if a rotation follows at once.
      const key = options.keys.current();
      const signed = pipeline.then(async () => {
        const event: WebhookEvent = {
          id,
          type,
          transactionId: transactionIdOf(payloadObject),
          createdAt,
          rawBody,
          signature: await signWebhookBody(rawBody, key),
          kid: key.kid,
        };
        events.push(event);
        keepBounded(events);
        dispatch(event);
        return event;
      });
      pipeline = signed.catch(() => undefined);
      return deliveries.track(signed);
    },
    events: () => [...events],
    deliveries: () => attempts.map((attempt) => ({ ...attempt })),
    buffered: () => waiting.length,
    async flush() {
      await pipeline;
      const batch = shuffle(waiting.splice(0), random);
      for (const delivery of batch) {
        if (deliveries.closed) return;
        // Each first attempt completes before the next starts, so the receiver sees the shuffled order.
        await new Promise<void>((firstAttemptDone) => void deliveries.track(deliveries.deliver(delivery, firstAttemptDone)));
      }
    },
    settled: () => deliveries.settled(),
    setTarget(url) {
      targetUrl = url;
    },
    clearLog() {
      events.length = 0;
      attempts.length = 0;
    },
    async close() {
      waiting.length = 0;
      await deliveries.close();
    },
  };
}

function transactionIdOf(payloadObject: Record<string, unknown>): string | null {
  if (payloadObject.object === 'transaction' && typeof payloadObject.id === 'string') return payloadObject.id;
  return typeof payloadObject.transaction_id === 'string' ? payloadObject.transaction_id : null;
}

/** Fisher–Yates. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const item = items[index] as T;
    items[index] = items[other] as T;
    items[other] = item;
  }
  return items;
}
