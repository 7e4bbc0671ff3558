/**
 * Checks that a webhook body comes from Universign: the signature header holds a detached compact
 * JWS (`<b64url(header)>..<b64url(signature)>`, empty payload part) whose payload is the raw body
 * bytes, signed PS256 with the key named by `kid` in Universign's JWKS (see universign-api.md).
 * The raw bytes are what was signed, so callers must pass them untouched, never re-serialised JSON.
 */
import { decodeProtectedHeader, errors, type FlattenedVerifyGetKey, flattenedVerify, type ProtectedHeaderParameters } from 'jose';
import { UniversignKeySetUnavailableError } from './universign-jwks';

/**
 * Why a signature was refused. `key_set_unavailable` is the one that is not the sender's fault
 * (the JWKS could not be fetched): answer it with a retryable status rather than 401.
 */
export type WebhookSignatureFailure = 'missing' | 'malformed' | 'algorithm' | 'unknown_key' | 'invalid' | 'key_set_unavailable';

/** A refused signature. Messages name the reason only: never the body, the header value or key material. */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: WebhookSignatureFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebhookSignatureError';
  }
}

export interface VerifyUniversignSignatureInput {
  rawBody: Buffer;
  /** Value of the configured signature header (`x-jws-signature` by default). */
  signatureHeader: string | undefined;
  /** Usually createUniversignKeySet(…); any jose key resolver works. */
  keySet: FlattenedVerifyGetKey;
}

const ALGORITHM = 'PS256';

export async function verifyUniversignSignature(input: VerifyUniversignSignatureInput): Promise<{ kid: string }> {
  const value = input.signatureHeader?.trim() ?? '';
  if (value === '') throw new WebhookSignatureError('missing', 'webhook signature header is missing or empty');

  const parts = value.split('.');
  if (parts.length !== 3) throw new WebhookSignatureError('malformed', 'webhook signature is not a compact JWS');
  const [encodedHeader = '', payloadPart = '', signature = ''] = parts;
  // Universign sends a detached JWS. One carrying its own payload is refused rather than checked
  // against the body: a signed payload that is not the body proves nothing about the body.
  if (payloadPart !== '')
    throw new WebhookSignatureError('malformed', 'webhook signature is not a detached JWS (payload part is not empty)');
  if (encodedHeader === '') throw new WebhookSignatureError('malformed', 'webhook signature has an empty header part');

  // Header checks come before any key lookup, so junk never costs a JWKS fetch.
  const header = decodeHeader(value);
  if (typeof header.alg !== 'string') throw new WebhookSignatureError('malformed', 'webhook signature header has no "alg"');
  if (header.alg !== ALGORITHM) throw new WebhookSignatureError('algorithm', `webhook signature algorithm must be ${ALGORITHM}`);
  if (typeof header.kid !== 'string' || header.kid === '')
    throw new WebhookSignatureError('malformed', 'webhook signature header has no "kid"');
  // The unencoded-payload option (RFC 7797) changes what is signed; Universign signs b64url(body).
  if (header.b64 !== undefined || header.crit !== undefined) {
    throw new WebhookSignatureError('malformed', 'webhook signature header uses "b64"/"crit", which Universign does not send');
  }
  if (signature === '') throw new WebhookSignatureError('malformed', 'webhook signature has an empty signature part');

  try {
    await flattenedVerify({ protected: encodedHeader, payload: input.rawBody.toString('base64url'), signature }, input.keySet, {
      algorithms: [ALGORITHM],
    });
  } catch (err) {
    throw toSignatureError(err);
  }
  return { kid: header.kid };
}

function decodeHeader(value: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(value);
  } catch (cause) {
    throw new WebhookSignatureError('malformed', 'webhook signature header is not base64url JSON', { cause });
  }
}

function toSignatureError(err: unknown): Error {
  if (err instanceof WebhookSignatureError) return err;
  if (err instanceof UniversignKeySetUnavailableError) {
    return new WebhookSignatureError('key_set_unavailable', 'Universign signing keys are unavailable', { cause: err });
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new WebhookSignatureError('invalid', 'webhook signature does not match the body');
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new WebhookSignatureError('unknown_key', "webhook signature key id is not in Universign's key set");
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new WebhookSignatureError('algorithm', `webhook signature algorithm must be ${ALGORITHM}`);
  }
  if (err instanceof errors.JWSInvalid)
    return new WebhookSignatureError('malformed', 'webhook signature is not a valid JWS', { cause: err });
  // Any other jose error is about the key (too short, wrong type): the signature cannot be trusted.
  if (err instanceof errors.JOSEError)
    return new WebhookSignatureError('invalid', 'webhook signature cannot be checked with that key', { cause: err });
  // Anything else (a TypeError for unusable key material, a bug) is not the sender's fault: let it surface.
  return err instanceof Error ? err : new Error(String(err));
}
