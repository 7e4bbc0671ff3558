/**
 * One Universign webhook event as the simulator sends it (shared/universign-api.md): the body
 * `{"object":"event","id":"evt_…","type":…,"created_at":…,"payload":{"object":…}}` and its
 * signature, a detached PS256 JWS for the `x-jws-signature` header. Tests use buildWebhookEvent
 * and signWebhookBody directly to forge deliveries the receiver must accept or refuse.
 */
import { randomBytes } from 'node:crypto';
import { FlattenedSign } from 'jose';

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

/** An event as signed and dispatched by the sender. */
export interface WebhookEvent {
  id: string;
  type: string;
  transactionId: string | null;
  createdAt: string;
  rawBody: Buffer;
  signature: string;
  kid: string;
}
