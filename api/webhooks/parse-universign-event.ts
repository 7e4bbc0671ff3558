/**
 * Reads a (signature-verified) Universign webhook body into the few facts the service acts on:
 * event id (dedupe key), type, time and the transaction it concerns. Only `id`, `type` and
 * `payload.object.id` are well attested (universign-api.md), so everything else is read tolerantly.
 */
import { z } from 'zod';

export interface UniversignEvent {
  eventId: string;
  type: string;
  /** ISO-8601 UTC, or null when absent or unreadable (the field's format is not confirmed). */
  createdAt: string | null;
  transactionId: string;
  /** `payload.object`: a transaction, or an action for `action.*` events. */
  payloadObject: Record<string, unknown>;
}

/**
 * `body`: not JSON / not an object; `shape`: not an event; `no_transaction`: a well-formed event
 * about no transaction (e.g. `apikey.*`), which a receiver may acknowledge and ignore.
 */
export type WebhookEventFailure = 'body' | 'shape' | 'no_transaction';

/** A body that is not a usable event. Messages say what is wrong without quoting the body. */
export class WebhookEventError extends Error {
  constructor(
    readonly reason: WebhookEventFailure,
    message: string,
    /** Set when the body was an event, so a receiver can log and acknowledge it. */
    readonly event?: { eventId: string; type: string },
  ) {
    super(message);
    this.name = 'WebhookEventError';
  }
}

const MAX_ID_LENGTH = 200;
// Transaction ids end up in workflow ids and log lines: keep them to the characters Universign uses.
const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

const eventSchema = z.looseObject({
  object: z.string({ error: '"object" must be a string' }).optional(),
  id: z
    .string({ error: 'event has no "id" string' })
    .min(1, 'event "id" is empty')
    .max(MAX_ID_LENGTH, `event "id" is longer than ${MAX_ID_LENGTH} characters`),
  type: z
    .string({ error: 'event has no "type" string' })
    .min(1, 'event "type" is empty')
    .max(MAX_ID_LENGTH, `event "type" is longer than ${MAX_ID_LENGTH} characters`),
  created_at: z.unknown().optional(),
  payload: z.unknown().optional(),
});

const payloadSchema = z.looseObject({ object: z.record(z.string(), z.unknown()) });

export function parseUniversignEvent(rawBody: Buffer): UniversignEvent {
  const body = parseJson(rawBody);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WebhookEventError(
      'body',
      `webhook body must be a JSON object, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`,
    );
  }
  const parsed = eventSchema.safeParse(body);
  if (!parsed.success) throw new WebhookEventError('shape', parsed.error.issues[0]?.message ?? 'webhook body is not a Universign event');
  const { object, id: eventId, type, created_at: createdAt, payload } = parsed.data;

  if (object !== undefined && object !== 'event') {
    throw new WebhookEventError('shape', 'webhook body\'s "object" is not "event"');
  }
  // The "object" discriminator is the documented marker; without it, accept only an evt_ id.
  if (object === undefined && !eventId.startsWith('evt_')) {
    throw new WebhookEventError('shape', 'webhook body has no "object":"event" and its id is not an evt_ id');
  }

  const event = { eventId, type };
  const payloadObject = payloadSchema.safeParse(payload);
  if (!payloadObject.success) {
    throw new WebhookEventError('no_transaction', `event ${eventId} (${type}) has no "payload.object"`, event);
  }
  const transactionId = findTransactionId(payloadObject.data.object);
  if (transactionId === null) {
    throw new WebhookEventError('no_transaction', `event ${eventId} (${type}) names no transaction`, event);
  }
  if (!TRANSACTION_ID.test(transactionId)) {
    throw new WebhookEventError('shape', `event ${eventId} (${type}) has a malformed transaction id`, event);
  }
  return { eventId, type, createdAt: readCreatedAt(createdAt), transactionId, payloadObject: payloadObject.data.object };
}

function parseJson(rawBody: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    throw new WebhookEventError('body', 'webhook body is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new WebhookEventError('body', 'webhook body is not JSON');
  }
}

/**
 * A transaction payload carries the id itself; an action payload refers to its transaction by
 * `transaction_id` (documented) or, tolerated, a `transaction` object or id.
 */
function findTransactionId(payloadObject: Record<string, unknown>): string | null {
  const { object, id, transaction_id: transactionId, transaction } = payloadObject;
  if (typeof id === 'string' && (object === 'transaction' || id.startsWith('tx_'))) return id;
  if (typeof transactionId === 'string' && transactionId !== '') return transactionId;
  if (typeof transaction === 'object' && transaction !== null && !Array.isArray(transaction)) {
    const nested = (transaction as Record<string, unknown>).id;
    if (typeof nested === 'string' && nested !== '') return nested;
  }
  if (typeof transaction === 'string' && transaction !== '') return transaction;
  return null;
}

/** ISO strings as given (normalised); numbers as Unix time, seconds or milliseconds by magnitude. */
function readCreatedAt(value: unknown): string | null {
  let time: number;
  if (typeof value === 'string') time = Date.parse(value);
  else if (typeof value === 'number') time = Math.abs(value) < 1e11 ? value * 1000 : value;
  else return null;
  if (!Number.isFinite(time)) return null;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
