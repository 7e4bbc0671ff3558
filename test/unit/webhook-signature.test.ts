import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createUniversignKeySet, type UniversignKeySetOptions } from '../../api/webhooks/universign-jwks';
import {
  verifyUniversignSignature,
  WebhookSignatureError,
  type WebhookSignatureFailure,
} from '../../api/webhooks/verify-universign-signature';
import { startUniversignSimulator, type UniversignSimulator, type WebhookKeys } from '../../simulators/universign-simulator';
import { buildWebhookEvent, signWebhookBody } from '../../simulators/universign-webhook-event';
import { generateWebhookSigningKey, newKid } from '../../simulators/universign-webhook-keys';

const JWKS_PATH = '/v1/webhooks/jwks.json';
const COOLDOWN_MS = 1_000;
const CACHE_MAX_AGE_MS = 60_000;

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('Universign webhook signature (detached JWS, PS256, JWKS)', () => {
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

  test('accepts a valid detached PS256 signature over the raw bytes, and says which key', async () => {
    const keySet = newKeySet();
    const key = keys.current();
    const signatureHeader = await signWebhookBody(body, key);
    assert.match(signatureHeader, /^[\w-]+\.\.[\w-]+$/);
    assert.deepEqual(JSON.parse(Buffer.from(signatureHeader.split('.')[0] ?? '', 'base64url').toString()), { alg: 'PS256', kid: key.kid });
    assert.match(key.kid, /^scd_/);

    const fetchesBefore = jwksFetches();
    assert.deepEqual(await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), { kid: key.kid });
    assert.equal(jwksFetches(), fetchesBefore + 1);
    // Surrounding whitespace (a header folded by a proxy) does not matter.
    assert.deepEqual(await verifyUniversignSignature({ rawBody: body, signatureHeader: ` ${signatureHeader} `, keySet }), { kid: key.kid });
  });

  test('refuses a missing or empty header', async () => {
    const keySet = newKeySet();
    for (const signatureHeader of [undefined, '', '   ']) {
      await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'missing');
    }
  });

  test('refuses garbage without fetching the JWKS, and never echoes the header or body', async () => {
    const keySet = newKeySet();
    const fetchesBefore = jwksFetches();
    const validHeader = b64url(JSON.stringify({ alg: 'PS256', kid: keys.current().kid }));
    const garbage = [
      'garbage',
      'a.b',
      'a..b..c',
      '..',
      `..${'A'.repeat(40)}`,
      '!!!..@@@',
      `${b64url('not json')}..AAAA`,
      `${b64url('[1,2]')}..AAAA`,
      `${b64url(JSON.stringify({ kid: 'scd_x' }))}..AAAA`,
      `${b64url(JSON.stringify({ alg: 'PS256' }))}..AAAA`,
      `${validHeader}..`,
      `${b64url(JSON.stringify({ alg: 'PS256', kid: 'scd_x', b64: false, crit: ['b64'] }))}..AAAA`,
      `${validHeader}..sig, ${validHeader}..sig`,
    ];
    for (const signatureHeader of garbage) {
      const error = await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'malformed');
      assert.ok(!error.message.includes(signatureHeader), 'message must not echo the header');
      assert.ok(!error.message.includes('tx_123'), 'message must not echo the body');
    }
    assert.equal(jwksFetches(), fetchesBefore, 'malformed signatures must not cost a JWKS fetch');

    // Well-formed but meaningless signature bytes under a real key: a mismatch, not a format error.
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: `${validHeader}..${'A'.repeat(342)}`, keySet }), 'invalid');
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: `${validHeader}..%%%`, keySet }), 'malformed');
  });

  test('refuses a signature made by another key under the published kid', async () => {
    const keySet = newKeySet();
    const impostor = await generateWebhookSigningKey(keys.current().kid);
    const signatureHeader = await signWebhookBody(body, impostor);
    const error = await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'invalid');
    assert.doesNotMatch(error.message, /BEGIN|"n"|"d"/);
  });

  test('refuses an unknown kid that is still unknown after one refetch, and a flood of them costs no more fetches', async () => {
    const keySet = newKeySet();
    await verifyUniversignSignature({ rawBody: body, signatureHeader: await signWebhookBody(body, keys.current()), keySet });
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
    const oldKey = keys.current();
    const oldSignature = await signWebhookBody(body, oldKey);
    for (let index = 0; index < 4; index += 1) {
      await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });
    }
    assert.equal(jwksFetches(), fetchesBefore + 1, 'one fetch, then cache');

    advance(COOLDOWN_MS + 1);
    const newKey = await keys.rotate();
    assert.notEqual(newKey.kid, oldKey.kid);
    assert.deepEqual(
      keys.jwks().keys.map((jwk) => jwk.kid),
      [oldKey.kid, newKey.kid],
    );
    const newSignature = await signWebhookBody(body, keys.current());
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
    await verifyUniversignSignature({ rawBody: body, signatureHeader: await signWebhookBody(body, keys.current()), keySet });
    const upcoming = await generateWebhookSigningKey();
    const signatureHeader = await signWebhookBody(body, upcoming);

    advance(COOLDOWN_MS + 1);
    const fetchesBefore = jwksFetches();
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'unknown_key');
    await keys.rotate({ key: upcoming });
    // Published now, but the last fetch is too recent: still refused, still no fetch.
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'unknown_key');
    assert.equal(jwksFetches(), fetchesBefore + 1);

    advance(COOLDOWN_MS + 1);
    assert.deepEqual(await verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), { kid: upcoming.kid });
    assert.equal(jwksFetches(), fetchesBefore + 2);
  });

  test('a retired key is refused once the cached set is refreshed', async () => {
    const keySet = newKeySet();
    const retiring = keys.current();
    const oldSignature = await signWebhookBody(body, retiring);
    await verifyUniversignSignature({ rawBody: body, signatureHeader: oldSignature, keySet });

    const replacement = await keys.rotate({ dropPrevious: true });
    assert.deepEqual(
      keys.jwks().keys.map((jwk) => jwk.kid),
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

  test('refuses algorithms other than PS256 (RS256 with the same key, HS256, none) before any key lookup', async () => {
    const keySet = newKeySet();
    const key = keys.current();
    const fetchesBefore = jwksFetches();
    const rs256 = await signWebhookBody(body, key, { alg: 'RS256' });
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: rs256, keySet }), 'algorithm');
    const hs256 = await signWebhookBody(body, { kid: key.kid, privateKey: randomBytes(32) }, { alg: 'HS256' });
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: hs256, keySet }), 'algorithm');
    const ps512 = await signWebhookBody(body, key, { alg: 'PS512' });
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: ps512, keySet }), 'algorithm');
    for (const alg of ['none', 'None', 'ps256']) {
      const unsigned = `${b64url(JSON.stringify({ alg, kid: key.kid }))}..`;
      await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: unsigned, keySet }), 'algorithm');
    }
    assert.equal(jwksFetches(), fetchesBefore);
  });

  test('refuses a body altered after signing, including a harmless-looking re-serialisation', async () => {
    const keySet = newKeySet();
    const signatureHeader = await signWebhookBody(body, keys.current());
    const tampered = Buffer.from(body.toString('utf8').replace('"completed"', '"cancelled"'), 'utf8');
    assert.notDeepEqual(tampered, body);
    await refused(verifyUniversignSignature({ rawBody: tampered, signatureHeader, keySet }), 'invalid');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1), 'utf8');
    await refused(verifyUniversignSignature({ rawBody: reserialised, signatureHeader, keySet }), 'invalid');
    await refused(verifyUniversignSignature({ rawBody: Buffer.concat([body, Buffer.from('\n')]), signatureHeader, keySet }), 'invalid');
    await refused(verifyUniversignSignature({ rawBody: Buffer.alloc(0), signatureHeader, keySet }), 'invalid');
  });

  test('refuses a non-detached JWS, even one whose embedded payload is the body itself', async () => {
    // Decision: only the documented detached form is accepted; the body is what must be signed,
    // so an attached payload is never trusted in its place.
    const keySet = newKeySet();
    const attached = await signWebhookBody(body, keys.current(), { detached: false });
    assert.equal(attached.split('.')[1], body.toString('base64url'));
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: attached, keySet }), 'malformed');
    const otherPayload = await signWebhookBody(Buffer.from('{"object":"event"}'), keys.current(), { detached: false });
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: otherPayload, keySet }), 'malformed');
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
    const signatureHeader = await signWebhookBody(body, keys.current());

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
    const signatureHeader = await signWebhookBody(body, keys.current());
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
