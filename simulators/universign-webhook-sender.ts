/**
 * Delivers Universign-style webhooks as shared/universign-api.md describes them: the event body
 * `{"object":"event","id":"evt_…","type":…,"created_at":…,"payload":{"object":…}}`, signed as a
 * detached PS256 JWS in `x-jws-signature`, POSTed as JSON and retried on the documented schedule
 * (shrunk for tests) until a 2xx. It can also misbehave as Universign may: duplicate deliveries,
 * delays, and out-of-order delivery (buffer, then `flush()` in shuffled order). Every attempt is
 * logged so tests can assert on what the receiver answered.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FlattenedSign } from 'jose';
import type { WebhookKeys } from './universign-webhook-keys';

/** Universign's retry schedule after a failed delivery (then the event is marked failed). */
export const UNIVERSIGN_RETRY_DELAYS_MS: readonly number[] = [
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  6 * 3_600_000,
  24 * 3_600_000,
  48 * 3_600_000,
];
/** The same schedule 6000× faster: 10 ms, 50 ms, 300 ms, 1.2 s, 3.6 s, 14.4 s, 28.8 s. */
export const TEST_RETRY_DELAYS_MS: readonly number[] = UNIVERSIGN_RETRY_DELAYS_MS.map((ms) => ms / 6000);

export const DEFAULT_SIGNATURE_HEADER = 'x-jws-signature';

type SigningKeyMaterial = Parameters<FlattenedSign['sign']>[0];

export interface WebhookSignOptions {
  /** Default PS256; tests pass RS256/HS256 to check the receiver refuses them. */
  alg?: string;
  /** Default true; false keeps the payload in the middle part (a non-detached JWS). */
  detached?: boolean;
  /** Extra protected header parameters (`alg` and `kid` always come from the arguments). */
  header?: Record<string, unknown>;
}

/** The signature header value for `rawBody`: `<b64url(header)>..<b64url(signature)>`. */
export async function signWebhookBody(
  rawBody: Buffer,
  key: { kid: string; privateKey: SigningKeyMaterial },
  options: WebhookSignOptions = {},
): Promise<string> {
  const jws = await new FlattenedSign(rawBody)
    .setProtectedHeader({ ...options.header, alg: options.alg ?? 'PS256', kid: key.kid })
    .sign(key.privateKey);
  return `${jws.protected ?? ''}.${options.detached === false ? jws.payload : ''}.${jws.signature}`;
}

export interface BuildWebhookEventInput {
  type: string;
  /** A transaction (GET /v1/transactions/{id} shape) or an action JSON. */
  payloadObject: Record<string, unknown>;
  createdAt: string;
  id?: string;
  /** JSON indentation; 0 (default) is compact. A non-zero value catches receivers that re-serialise. */
  indent?: number;
}

export function buildWebhookEvent(input: BuildWebhookEventInput): { id: string; rawBody: Buffer } {
  const id = input.id ?? `evt_${randomBytes(12).toString('hex')}`;
  const event = { object: 'event', id, type: input.type, created_at: input.createdAt, payload: { object: input.payloadObject } };
  return { id, rawBody: Buffer.from(JSON.stringify(event, null, input.indent ?? 0), 'utf8') };
}

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

export interface WebhookEvent {
  id: string;
  type: string;
  transactionId: string | null;
  createdAt: string;
  rawBody: Buffer;
  signature: string;
  kid: string;
}

/** One HTTP attempt to deliver one copy of one event. */
export interface WebhookDeliveryAttempt {
  eventId: string;
  type: string;
  transactionId: string | null;
  /** 1…duplicate. */
  copy: number;
  /** 1 for the first try, then retries. */
  attempt: number;
  targetUrl: string;
  /** HTTP status, or null when there was no answer (refused, reset, timeout). */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** Wall-clock start of the attempt. */
  at: string;
  /** False on success and on the last attempt of the schedule. */
  willRetry: boolean;
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

interface Delivery {
  event: WebhookEvent;
  copy: number;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let targetUrl = options.targetUrl;
  const headerName = (options.headerName ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  const duplicate = options.duplicate ?? 1;
  if (!Number.isInteger(duplicate) || duplicate < 1) throw new TypeError('duplicate must be an integer ≥ 1');
  const delayMs = options.delayMs ?? 0;
  const retryDelaysMs = [...(options.retryDelaysMs ?? TEST_RETRY_DELAYS_MS)];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const logLimit = options.logLimit ?? 10_000;
  const keepBounded = (log: unknown[]) => {
    if (log.length > logLimit) log.splice(0, log.length - logLimit);
  };

  const events: WebhookEvent[] = [];
  const attempts: WebhookDeliveryAttempt[] = [];
  const waiting: Delivery[] = [];
  const active = new Set<Promise<unknown>>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: (slept: boolean) => void }>();
  const controllers = new Set<AbortController>();
  // Signing is chained so events are dispatched in the order they happened.
  let pipeline: Promise<unknown> = Promise.resolve();
  let closed = false;

  function track<T>(promise: Promise<T>): Promise<T> {
    const settledPromise: Promise<unknown> = promise.then(
      () => active.delete(settledPromise),
      () => active.delete(settledPromise),
    );
    active.add(settledPromise);
    return promise;
  }

  /** Resolves true after `ms`, or false at once when the sender closes. */
  function sleep(ms: number): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeper = {
        wake: resolve,
        timer: setTimeout(() => {
          sleepers.delete(sleeper);
          resolve(true);
        }, ms),
      };
      sleepers.add(sleeper);
    });
  }

  async function attemptOnce(delivery: Delivery, attempt: number): Promise<Omit<WebhookDeliveryAttempt, 'willRetry'>> {
    const url = targetUrl;
    const at = new Date().toISOString();
    const started = performance.now();
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [headerName]: delivery.event.signature },
        body: delivery.event.rawBody,
        redirect: 'manual',
        signal: controller.signal,
      });
      // Reading the answer to the end lets the connection be reused, as a real sender's would.
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
    } catch (err) {
      error = describeError(err);
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
    return {
      eventId: delivery.event.id,
      type: delivery.event.type,
      transactionId: delivery.event.transactionId,
      copy: delivery.copy,
      attempt,
      targetUrl: url,
      status,
      error,
      durationMs: performance.now() - started,
      at,
    };
  }

  async function deliver(delivery: Delivery, firstAttemptDone: () => void = () => undefined): Promise<void> {
    try {
      if (delayMs > 0 && !(await sleep(delayMs))) return;
      for (let attempt = 1; !closed; attempt += 1) {
        const result = await attemptOnce(delivery, attempt);
        const ok = result.status !== null && result.status >= 200 && result.status < 300;
        const delay = retryDelaysMs[attempt - 1];
        const willRetry = !ok && delay !== undefined && !closed;
        attempts.push({ ...result, willRetry });
        keepBounded(attempts);
        firstAttemptDone();
        if (!willRetry || !(await sleep(delay))) return;
      }
    } finally {
      firstAttemptDone();
    }
  }

  function dispatch(event: WebhookEvent): void {
    if (closed) return;
    for (let copy = 1; copy <= duplicate; copy += 1) {
      if (options.reorder) waiting.push({ event, copy });
      else void track(deliver({ event, copy }));
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
      return track(signed);
    },
    events: () => [...events],
    deliveries: () => attempts.map((attempt) => ({ ...attempt })),
    buffered: () => waiting.length,
    async flush() {
      await pipeline;
      const batch = shuffle(waiting.splice(0), random);
      for (const delivery of batch) {
        if (closed) return;
        // Each first attempt completes before the next starts, so the receiver sees the shuffled order.
        await new Promise<void>((firstAttemptDone) => void track(deliver(delivery, firstAttemptDone)));
      }
    },
    async settled() {
      while (active.size > 0) await Promise.all([...active]);
    },
    setTarget(url) {
      targetUrl = url;
    },
    clearLog() {
      events.length = 0;
      attempts.length = 0;
    },
    async close() {
      closed = true;
      waiting.length = 0;
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake(false);
      }
      sleepers.clear();
      for (const controller of controllers) controller.abort(new Error('webhook sender closed'));
      while (active.size > 0) await Promise.all([...active]);
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

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : null;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}
