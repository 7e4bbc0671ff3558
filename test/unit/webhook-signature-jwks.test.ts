// How the webhook signature check uses the JWKS: unknown kids and their refetch cooldown, key rotation and retirement, an unavailable key set.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyUniversignSignature, type WebhookSignatureError } from '../../api/webhooks/verify-universign-signature';
import { signWebhookBody } from '../../simulators/universign-webhook-event';
import { generateWebhookSigningKey, newKid } from '../../simulators/universign-webhook-keys';
import { CACHE_MAX_AGE_MS, COOLDOWN_MS, useWebhookSignatureFixture } from './webhook-signature-support';

describe('Universign webhook signature (detached JWS, PS256, JWKS)', () => {
  const fx = useWebhookSignatureFixture();
  const { body, jwksFetches, advance, newKeySet, refused } = fx;

  test('refuses an unknown kid that is still unknown after one refetch, and a flood of them costs no more fetches', async () => {
    const keySet = newKeySet();
    await verifyUniversignSignature({ rawBody: body, signatureHeader: await signWebhookBody(body, fx.keys.current()), keySet });
    const stranger = await generateWebhookSigningKey();
    const signatureHeader = await signWebhookBody(body, stranger);

    advance(COOLDOWN_MS + 1);
    let fetches = jwksFetches();
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'unknown_key');
    assert.equal(jwksFetches(), fetches + 1, 'an unknown kid refetches once');

    fetches = jwksFetches();
    const flood = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const forged = await signWebhookBody(body, { kid: newKid(), privateKey: stranger.privateKey });
        return verifyUniversignSignature({ rawBody: body, signatureHeader: forged, keySet }).catch(
          (err: WebhookSignatureError) => err.reason,
        );
      }),
    );
    assert.deepEqual(new Set(flood), new Set(['unknown_key']));
    assert.equal(jwksFetches(), fetches, 'within the cooldown, unknown kids are refused without fetching');

    // After the cooldown, a burst of concurrent unknown kids shares one fetch.
    advance(COOLDOWN_MS + 1);
    const burst = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const forged = await signWebhookBody(body, { kid: newKid(), privateKey: stranger.privateKey });
        return verifyUniversignSignature({ rawBody: body, signatureHeader: forged, keySet }).catch(
          (err: WebhookSignatureError) => err.reason,
        );
      }),
    );
    assert.deepEqual(new Set(burst), new Set(['unknown_key']));
    assert.equal(jwksFetches(), fetches + 1);
  });

  test('follows a key rotation: a new kid refetches once, then the set is served from cache', async () => {
    const keySet = newKeySet();
    const fetchesBefore = jwksFetches();
    const oldKey = fx.keys.current();
    const oldSignature = await signWebhookBody(body, oldKey);
    for (let index = 0; index < 4; index += 1) {
      await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });
    }
    assert.equal(jwksFetches(), fetchesBefore + 1, 'one fetch, then cache');

    advance(COOLDOWN_MS + 1);
    const newKey = await fx.keys.rotate();
    assert.notEqual(newKey.kid, oldKey.kid);
    assert.deepEqual(
      fx.keys.jwks().keys.map((jwk) => jwk.kid),
      [oldKey.kid, newKey.kid],
    );
    const newSignature = await signWebhookBody(body, fx.keys.current());
    assert.deepEqual(await verifyUniversignSignature({ rawBody: body, signatureHeader: newSignature, keySet }), { kid: newKey.kid });
    assert.equal(jwksFetches(), fetchesBefore + 2, 'the unknown kid caused exactly one refetch');

    // Events signed before the rotation still verify, and nothing is fetched again.
    for (const signatureHeader of [oldSignature, newSignature, oldSignature]) {
      await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet });
    }
    assert.equal(jwksFetches(), fetchesBefore + 2);

    // Past the cache age the set is refreshed once, on the next verification.
    advance(CACHE_MAX_AGE_MS);
    await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });
    await verifyUniversignSignature({ rawBody: body, signatureHeader: newSignature, keySet });
    assert.equal(jwksFetches(), fetchesBefore + 3);
  });

  test('a kid first seen before it is published is accepted once published and the cooldown has passed', async () => {
    const keySet = newKeySet();
    await verifyUniversignSignature({ rawBody: body, signatureHeader: await signWebhookBody(body, fx.keys.current()), keySet });
    const upcoming = await generateWebhookSigningKey();
    const signatureHeader = await signWebhookBody(body, upcoming);

    advance(COOLDOWN_MS + 1);
    const fetchesBefore = jwksFetches();
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'unknown_key');
    await fx.keys.rotate({ key: upcoming });
    // Published now, but the last fetch is too recent: still refused, still no fetch.
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'unknown_key');
    assert.equal(jwksFetches(), fetchesBefore + 1);

    advance(COOLDOWN_MS + 1);
    assert.deepEqual(await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), { kid: upcoming.kid });
    assert.equal(jwksFetches(), fetchesBefore + 2);
  });

  test('a retired key is refused once the cached set is refreshed', async () => {
    const keySet = newKeySet();
    const retiring = fx.keys.current();
    const oldSignature = await signWebhookBody(body, retiring);
    await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });

    const replacement = await fx.keys.rotate({ dropPrevious: true });
    assert.deepEqual(
      fx.keys.jwks().keys.map((jwk) => jwk.kid),
      [replacement.kid],
    );
    // Until the cache ages out the retired key is still trusted: that is what the cache age bounds.
    await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });

    advance(CACHE_MAX_AGE_MS);
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet }), 'unknown_key');
    assert.deepEqual(
      await verifyUniversignSignature({ rawBody: body, signatureHeader: await signWebhookBody(body, replacement), keySet }),
      { kid: replacement.kid },
    );
  });

  test('an unreachable JWKS is reported as key_set_unavailable, and a stale set keeps working', async () => {
    let failing = true;
    let attempts = 0;
    const flakyFetch: typeof fetch = async (input, init) => {
      attempts += 1;
      if (failing) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const warnings: Array<{ details: object; message: string }> = [];
    const log = { warn: (details: object, message: string) => warnings.push({ details, message }), debug: () => undefined };
    const keySet = newKeySet({ fetch: flakyFetch, log });
    const signatureHeader = await signWebhookBody(body, fx.keys.current());

    const error = await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'key_set_unavailable');
    assert.ok(!error.message.includes(signatureHeader));
    assert.equal(attempts, 1);
    // Within the cooldown a failed fetch is not retried for every request.
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'key_set_unavailable');
    assert.equal(attempts, 1);

    failing = false;
    advance(COOLDOWN_MS + 1);
    await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet });
    assert.equal(attempts, 2);

    // Cache aged out while Universign is down: the keys held are still used.
    failing = true;
    advance(CACHE_MAX_AGE_MS);
    await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet });
    await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet });
    assert.equal(attempts, 3, 'one refresh attempt, then the cooldown');
    // An unknown kid that cannot be checked is not the sender's fault.
    advance(COOLDOWN_MS + 1);
    const unknown = await signWebhookBody(body, await generateWebhookSigningKey());
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: unknown, keySet }), 'key_set_unavailable');
    // Each failed fetch is logged once, with its cause, including the stale refresh nobody waited on.
    assert.equal(warnings.length, 3, JSON.stringify(warnings));
    assert.ok(
      warnings.every(({ details }) => /fetch failed/.test(JSON.stringify(details))),
      JSON.stringify(warnings),
    );
  });

  test('a JWKS endpoint answering an error status or non-JSON is unavailable, not an invalid signature', async () => {
    const signatureHeader = await signWebhookBody(body, fx.keys.current());
    for (const response of [
      new Response('oops', { status: 503 }),
      new Response('<html>', { status: 200 }),
      Response.json({ nope: true }),
    ]) {
      const keySet = newKeySet({ fetch: async () => response });
      await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'key_set_unavailable');
    }
  });
});
