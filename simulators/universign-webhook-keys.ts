/**
 * The simulator's webhook signing keys: RSA pairs named `scd_…` as Universign's are, the current
 * one signing events and the published ones served as the public JWKS. Rotation adds a new current
 * key and may retire the old one, so tests can drive a receiver through Universign's key changes.
 */
import { generateKeyPair, type KeyObject, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { JSONWebKeySet, JWK } from 'jose';

const generateRsaKeyPair = promisify(generateKeyPair);

export interface WebhookSigningKey {
  kid: string;
  privateKey: KeyObject;
  /** Public half as a JWK with `kid` and `use: "sig"`; no `alg`, so only the receiver's own allowlist limits algorithms. */
  publicJwk: JWK;
}

export interface WebhookKeys {
  /** The key new events are signed with. */
  current(): WebhookSigningKey;
  /** The public JWKS as `GET /v1/webhooks/jwks.json` serves it. */
  jwks(): JSONWebKeySet;
  /**
   * Makes `key` (default: a new one) current and published. With `dropPrevious`, every other key
   * leaves the JWKS; otherwise the old ones stay published for events signed before the rotation.
   */
  rotate(options?: { key?: WebhookSigningKey; dropPrevious?: boolean }): Promise<WebhookSigningKey>;
  /** Removes a key from the JWKS (it may stay current, to test a receiver facing an unpublished kid). */
  unpublish(kid: string): void;
}

export function newKid(): string {
  return `scd_${randomBytes(8).toString('hex')}`;
}

/** A fresh RSA-2048 pair for PS256; also handy for "signed by another key" tests (pass a known kid). */
export async function generateWebhookSigningKey(kid: string = newKid()): Promise<WebhookSigningKey> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const publicJwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export async function createWebhookKeys(options: { initial?: WebhookSigningKey } = {}): Promise<WebhookKeys> {
  let current = options.initial ?? (await generateWebhookSigningKey());
  let published: WebhookSigningKey[] = [current];

  return {
    current: () => current,
    jwks: () => ({ keys: published.map((key) => ({ ...key.publicJwk })) }),
    async rotate({ key, dropPrevious = false } = {}) {
      const next = key ?? (await generateWebhookSigningKey());
      const others = dropPrevious ? [] : published.filter((each) => each.kid !== next.kid);
      published = [...others, next];
      current = next;
      return next;
    },
    unpublish(kid) {
      published = published.filter((each) => each.kid !== kid);
    },
  };
}
