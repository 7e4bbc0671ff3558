/**
 * Delivery of signed webhook events: each copy is POSTed as JSON with its signature header,
 * answered or timed out, and retried on Universign's schedule (shrunk for tests) until a 2xx or
 * the schedule ends. Every attempt is reported; close() wakes pending retries and aborts attempts
 * in flight. The sender (universign-webhook-sender.ts) decides what is delivered and when.
 */
import { performance } from 'node:perf_hooks';
import type { WebhookEvent } from './universign-webhook-event';

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

/** One copy of one event to deliver. */
export interface Delivery {
  event: WebhookEvent;
  copy: number;
}

export interface WebhookDeliveriesOptions {
  /** Read at each attempt, so setTarget() applies to retries too. */
  targetUrl: () => string;
  headerName: string;
  delayMs: number;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
  /** Called with every attempt once it is answered (or failed). */
  onAttempt: (attempt: WebhookDeliveryAttempt) => void;
}

export class WebhookDeliveries {
  private readonly active = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: (slept: boolean) => void }>();
  private readonly controllers = new Set<AbortController>();
  closed = false;

  constructor(private readonly options: WebhookDeliveriesOptions) {}

  /** Keeps `promise` counted by settled() and close() until it settles. */
  track<T>(promise: Promise<T>): Promise<T> {
    const settledPromise: Promise<unknown> = promise.then(
      () => this.active.delete(settledPromise),
      () => this.active.delete(settledPromise),
    );
    this.active.add(settledPromise);
    return promise;
  }

  /** Delivers one copy, retrying on the schedule; `firstAttemptDone` is called once the first attempt is over. */
  async deliver(delivery: Delivery, firstAttemptDone: () => void = () => undefined): Promise<void> {
    const { delayMs, retryDelaysMs } = this.options;
    try {
      if (delayMs > 0 && !(await this.sleep(delayMs))) return;
      for (let attempt = 1; !this.closed; attempt += 1) {
        const result = await this.attemptOnce(delivery, attempt);
        const ok = result.status !== null && result.status >= 200 && result.status < 300;
        const delay = retryDelaysMs[attempt - 1];
        const willRetry = !ok && delay !== undefined && !this.closed;
        this.options.onAttempt({ ...result, willRetry });
        firstAttemptDone();
        if (!willRetry || !(await this.sleep(delay))) return;
      }
    } finally {
      firstAttemptDone();
    }
  }

  /** Resolves when nothing is being signed, delivered or waiting for a retry. */
  async settled(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  /** Stops: pending retries are dropped, attempts in flight are aborted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake(false);
    }
    this.sleepers.clear();
    for (const controller of this.controllers) controller.abort(new Error('webhook sender closed'));
    await this.settled();
  }

  /** Resolves true after `ms`, or false at once when the sender closes. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeper = {
        wake: resolve,
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve(true);
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }

  private async attemptOnce(delivery: Delivery, attempt: number): Promise<Omit<WebhookDeliveryAttempt, 'willRetry'>> {
    const { headerName, timeoutMs, fetch: fetchImpl } = this.options;
    const url = this.options.targetUrl();
    const at = new Date().toISOString();
    const started = performance.now();
    const controller = new AbortController();
    this.controllers.add(controller);
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
      this.controllers.delete(controller);
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
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : null;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}
