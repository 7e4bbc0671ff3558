/**
 * Shared pieces of the webhook signature tests: a Universign simulator per file whose keys and
 * JWKS sign and publish, a signed sample body, a controllable clock and a refusal checker.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { createUniversignKeySet, type UniversignKeySetOptions } from '../../api/webhooks/universign-jwks';
import { WebhookSignatureError, type WebhookSignatureFailure } from '../../api/webhooks/verify-universign-signature';
import { startUniversignSimulator, type UniversignSimulator, type WebhookKeys } from '../../simulators/universign-simulator';
import { buildWebhookEvent } from '../../simulators/universign-webhook-event';

export const JWKS_PATH = '/v1/webhooks/jwks.json';
export const COOLDOWN_MS = 1_000;
export const CACHE_MAX_AGE_MS = 60_000;

export const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Starts the simulator before the file's tests and closes it after them. Call inside a describe. */
export function useWebhookSignatureFixture() {
  let simulator: UniversignSimulator;
  let keys: WebhookKeys;
  let jwksUrl: string;
  let nowMs = 1_700_000_000_000;
  const { rawBody: body } = buildWebhookEvent({
    type: 'transaction.lifecycle.completed',
    payloadObject: { object: 'transaction', id: 'tx_123', state: 'completed', name: 'Devis n°42 — société' },
    createdAt: '2025-03-01T10:00:00.000Z',
  });

  before(async () => {
    // Nothing changes in the simulator here, so the sender never posts; only its keys and JWKS are used.
    simulator = await startUniversignSimulator({ apiKey: 'sim-key', webhooks: { targetUrl: 'http://127.0.0.1:9/unused' } });
    assert.ok(simulator.webhooks);
    keys = simulator.webhooks.keys;
    jwksUrl = `${simulator.url}/webhooks/jwks.json`;
  });
  after(async () => {
    await simulator.close();
  });

  const jwksFetches = () => simulator.requests().filter((entry) => entry.path === JWKS_PATH).length;
  const advance = (ms: number) => {
    nowMs += ms;
  };
  const newKeySet = (options: Partial<UniversignKeySetOptions> = {}) =>
    createUniversignKeySet({ jwksUrl, now: () => nowMs, cooldownMs: COOLDOWN_MS, cacheMaxAgeMs: CACHE_MAX_AGE_MS, ...options });

  async function refused(promise: Promise<unknown>, reason: WebhookSignatureFailure): Promise<WebhookSignatureError> {
    const error = await promise.then(
      () => assert.fail(`expected a "${reason}" refusal`),
      (err: unknown) => err,
    );
    assert.ok(error instanceof WebhookSignatureError, `expected WebhookSignatureError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return error;
  }

  return {
    /** The simulator's signing keys (current, rotate, jwks). */
    get keys() {
      return keys;
    },
    body,
    jwksFetches,
    advance,
    newKeySet,
    refused,
  };
}
