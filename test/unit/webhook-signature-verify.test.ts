// What the webhook signature check accepts and refuses: a valid detached PS256 JWS only; missing, garbage, wrong-key, other-algorithm, altered-body and attached signatures refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { verifyUniversignSignature } from '../../api/webhooks/verify-universign-signature';
import { signWebhookBody } from '../../simulators/universign-webhook-event';
import { generateWebhookSigningKey } from '../../simulators/universign-webhook-keys';
import { b64url, useWebhookSignatureFixture } from './webhook-signature-support';

describe('Universign webhook signature (detached JWS, PS256, JWKS)', () => {
  const fx = useWebhookSignatureFixture();
  const { body, jwksFetches, newKeySet, refused } = fx;

  test('accepts a valid detached PS256 signature over the raw bytes, and says which key', async () => {
    const keySet = newKeySet();
    const key = fx.keys.current();
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
    const validHeader = b64url(JSON.stringify({ alg: 'PS256', kid: fx.keys.current().kid }));
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
    const impostor = await generateWebhookSigningKey(fx.keys.current().kid);
    const signatureHeader = await signWebhookBody(body, impostor);
    const error = await refused(verifyUniversignSignature({ rawBody: body, signatureHeader, keySet }), 'invalid');
    assert.doesNotMatch(error.message, /BEGIN|"n"|"d"/);
  });

  test('refuses algorithms other than PS256 (RS256 with the same key, HS256, none) before any key lookup', async () => {
    const keySet = newKeySet();
    const key = fx.keys.current();
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
    const signatureHeader = await signWebhookBody(body, fx.keys.current());
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
    const attached = await signWebhookBody(body, fx.keys.current(), { detached: false });
    assert.equal(attached.split('.')[1], body.toString('base64url'));
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: attached, keySet }), 'malformed');
    const otherPayload = await signWebhookBody(Buffer.from('{"object":"event"}'), fx.keys.current(), { detached: false });
    await refused(verifyUniversignSignature({ rawBody: body, signatureHeader: otherPayload, keySet }), 'malformed');
  });
});
