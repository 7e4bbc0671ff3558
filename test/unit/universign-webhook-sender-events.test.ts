// What the Universign webhook sender posts: documented events from simulator changes, their detached JWS signatures, and key rotation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRemoteJWKSet, flattenedVerify } from 'jose';
import { createUniversignKeySet } from '../../api/webhooks/universign-jwks';
import { verifyUniversignSignature } from '../../api/webhooks/verify-universign-signature';
import { bodyOf, useSenderResources } from './universign-webhook-sender-support';

describe('Universign webhook sender', () => {
  const { receiver, simulatorWith } = useSenderResources();

  test('posts every simulator change as a documented event with a detached JWS header', async () => {
    const target = await receiver();
    const hookCalls: string[] = [];
    const now = new Date('2025-03-01T10:00:00.000Z');
    const simulator = await simulatorWith(
      { targetUrl: target.url },
      { clock: () => now, onTransactionChanged: (_transaction, type) => void hookCalls.push(type) },
    );
    const transaction = simulator.createTransaction({ signers: [{ email: 'alice@example.com' }, { email: 'bob@example.com' }] });
    simulator.refuse(transaction.id, 'bob@example.com');
    await simulator.webhooks.settled();

    const expectedTypes = [
      'transaction.lifecycle.created',
      'transaction.lifecycle.started',
      'action.opened',
      'action.opened',
      'action.stalled',
    ];
    assert.deepEqual(hookCalls, expectedTypes, 'a user-supplied hook still sees every change');
    assert.deepEqual(target.received.map((request) => bodyOf(request).type).sort(), [...expectedTypes].sort());
    for (const request of target.received) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/webhooks/universign');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(String(request.headers['x-jws-signature']), /^[\w-]+\.\.[\w-]+$/);
      const event = bodyOf(request);
      assert.deepEqual(Object.keys(event), ['object', 'id', 'type', 'created_at', 'payload']);
      assert.equal(event.object, 'event');
      assert.match(event.id, /^evt_[0-9a-f]{24}$/);
      assert.equal(event.created_at, now.toISOString());
      assert.deepEqual(Object.keys(event.payload), ['object']);
      if (event.type.startsWith('transaction.')) {
        assert.equal(event.payload.object.object, 'transaction');
        assert.equal(event.payload.object.id, transaction.id);
      } else {
        assert.equal(event.payload.object.object, 'action');
        assert.match(event.payload.object.id, /^act_/);
        assert.equal(event.payload.object.transaction_id, transaction.id);
      }
    }
    const stalled = target.received.map(bodyOf).find((event) => event.type === 'action.stalled');
    assert.equal(stalled?.payload.object.actor, 'bob@example.com');
    assert.equal(stalled?.payload.object.state, 'refused');

    const deliveries = simulator.webhooks.deliveries();
    assert.equal(deliveries.length, 5);
    for (const delivery of deliveries) {
      assert.equal(delivery.status, 200);
      assert.equal(delivery.attempt, 1);
      assert.equal(delivery.transactionId, transaction.id);
      assert.equal(delivery.willRetry, false);
      assert.ok(delivery.durationMs >= 0);
    }
    assert.deepEqual(
      new Set(deliveries.map((delivery) => delivery.eventId)),
      new Set(simulator.webhooks.events().map((event) => event.id)),
    );
  });

  test("signatures verify with jose against the simulator's public JWKS, and with the service verifier", async () => {
    const target = await receiver();
    const simulator = await simulatorWith({ targetUrl: target.url, indent: 2 });
    const jwksUrl = `${simulator.url}/webhooks/jwks.json`;

    // Public: no API key needed.
    const published = await fetch(jwksUrl);
    assert.equal(published.status, 200);
    const jwks = (await published.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.kty, 'RSA');
    assert.equal(jwks.keys[0]?.kid, simulator.webhooks.keys.current().kid);
    assert.equal(jwks.keys[0]?.d, undefined, 'no private material in the JWKS');

    const transaction = simulator.createTransaction({ signers: [{ email: 'alice@example.com' }] });
    simulator.sign(transaction.id, 'alice@example.com');
    await simulator.webhooks.settled();
    assert.ok(target.received.length >= 4);

    const remote = createRemoteJWKSet(new URL(jwksUrl));
    const keySet = createUniversignKeySet({ jwksUrl });
    for (const request of target.received) {
      const [protectedHeader = '', payload, signature = ''] = String(request.headers['x-jws-signature']).split('.');
      assert.equal(payload, '');
      const verified = await flattenedVerify(
        { protected: protectedHeader, payload: request.body.toString('base64url'), signature },
        remote,
        { algorithms: ['PS256'] },
      );
      assert.deepEqual(Buffer.from(verified.payload), request.body);
      assert.deepEqual(verified.protectedHeader, { alg: 'PS256', kid: simulator.webhooks.keys.current().kid });
      // indent: 2 makes the bytes differ from a compact re-serialisation, as a trap for receivers.
      assert.notEqual(request.body.toString('utf8'), JSON.stringify(JSON.parse(request.body.toString('utf8'))));
      await verifyUniversignSignature({ rawBody: request.body, signatureHeader: String(request.headers['x-jws-signature']), keySet });
    }
  });

  test('events after a rotation are signed with the new key, which the JWKS now lists', async () => {
    const target = await receiver();
    const simulator = await simulatorWith({ targetUrl: target.url, headerName: 'X-Universign-JWS' });
    const before = simulator.webhooks.keys.current();
    const after = await simulator.webhooks.keys.rotate();
    simulator.createTransaction({ state: 'draft' });
    await simulator.webhooks.settled();
    const [request] = target.received;
    assert.ok(request);
    assert.equal(request.headers['x-jws-signature'], undefined);
    const header = JSON.parse(Buffer.from(String(request.headers['x-universign-jws']).split('.')[0] ?? '', 'base64url').toString());
    assert.equal(header.kid, after.kid);
    const jwks = (await (await fetch(`${simulator.url}/webhooks/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    assert.deepEqual(
      jwks.keys.map((key) => key.kid),
      [before.kid, after.kid],
    );
  });
});
