import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { createRemoteJWKSet, flattenedVerify } from 'jose';
import { createUniversignKeySet } from '../../api/webhooks/universign-jwks';
import { verifyUniversignSignature } from '../../api/webhooks/verify-universign-signature';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { TEST_RETRY_DELAYS_MS, UNIVERSIGN_RETRY_DELAYS_MS } from '../../simulators/universign-webhook-delivery';
import { createWebhookKeys } from '../../simulators/universign-webhook-keys';
import { createWebhookSender, type WebhookSender } from '../../simulators/universign-webhook-sender';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A bare HTTP endpoint standing in for the service's webhook route; `answer` picks each status. */
async function startReceiver(answer: (index: number) => number = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = answer(received.length - 1);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/universign`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A closed port: connections are refused at once. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/webhooks/universign`;
}

/** Deterministic shuffle source (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a test reads untyped JSON answers by path.
const bodyOf = (request: Received) => JSON.parse(request.body.toString('utf8')) as Record<string, any>;

describe('Universign webhook sender', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function receiver(answer?: (index: number) => number): Promise<Receiver> {
    const started = await startReceiver(answer);
    cleanups.push(started.close);
    return started;
  }
  async function simulatorWith(
    webhooks: NonNullable<Parameters<typeof startUniversignSimulator>[0]['webhooks']>,
    extra: Partial<Parameters<typeof startUniversignSimulator>[0]> = {},
  ): Promise<UniversignSimulator & { webhooks: WebhookSender }> {
    const simulator = await startUniversignSimulator({ apiKey: 'sim-key', webhooks, ...extra });
    cleanups.push(simulator.close);
    assert.ok(simulator.webhooks);
    return simulator as UniversignSimulator & { webhooks: WebhookSender };
  }
  async function standaloneSender(options: Omit<Parameters<typeof createWebhookSender>[0], 'keys'>): Promise<WebhookSender> {
    const sender = createWebhookSender({ ...options, keys: await createWebhookKeys() });
    cleanups.push(sender.close);
    return sender;
  }

  test("the test retry schedule keeps the shape of Universign's", () => {
    assert.equal(TEST_RETRY_DELAYS_MS.length, UNIVERSIGN_RETRY_DELAYS_MS.length);
    assert.deepEqual(UNIVERSIGN_RETRY_DELAYS_MS.slice(0, 2), [60_000, 300_000]);
    assert.deepEqual(TEST_RETRY_DELAYS_MS.slice(0, 2), [10, 50]);
  });

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

  test('duplicate: N sends each event N times, same id and same bytes', async () => {
    const target = await receiver();
    const sender = await standaloneSender({ targetUrl: target.url, duplicate: 3 });
    const event = await sender.send('transaction.lifecycle.completed', { object: 'transaction', id: 'tx_dup', state: 'completed' });
    await sender.settled();
    assert.equal(target.received.length, 3);
    for (const request of target.received) {
      assert.deepEqual(request.body, event.rawBody);
      assert.equal(request.headers['x-jws-signature'], event.signature);
      assert.equal(bodyOf(request).id, event.id);
    }
    assert.deepEqual(
      sender
        .deliveries()
        .map((delivery) => delivery.copy)
        .sort(),
      [1, 2, 3],
    );
    assert.ok(sender.deliveries().every((delivery) => delivery.eventId === event.id && delivery.status === 200));
  });

  test('reorder: events wait for flush(), then arrive in shuffled order', async () => {
    const target = await receiver();
    const sender = await standaloneSender({ targetUrl: target.url, reorder: true, random: seededRandom(7) });
    const types = [
      'transaction.lifecycle.started',
      'action.opened',
      'action.closed',
      'action.opened',
      'action.closed',
      'transaction.lifecycle.completed',
    ];
    const sent = [];
    for (const type of types) sent.push(await sender.send(type, { object: 'transaction', id: 'tx_order', state: 'started' }));
    await sender.settled();
    assert.equal(target.received.length, 0, 'nothing is delivered before flush');
    assert.equal(sender.buffered(), types.length);

    await sender.flush();
    await sender.settled();
    assert.equal(sender.buffered(), 0);
    const arrived = target.received.map((request) => bodyOf(request).id as string);
    const emitted = sent.map((event) => event.id);
    assert.deepEqual([...arrived].sort(), [...emitted].sort());
    assert.notDeepEqual(arrived, emitted, 'seed 7 yields a different order');
    assert.deepEqual(
      sender.deliveries().map((delivery) => delivery.eventId),
      arrived,
    );
  });

  test('retries after a 503 on the test schedule, and a 2xx stops the retries', async () => {
    const target = await receiver((index) => (index === 0 ? 503 : 202));
    const sender = await standaloneSender({ targetUrl: target.url, retryDelaysMs: [40, 1_000] });
    const event = await sender.send('action.closed', { object: 'action', id: 'act_1', transaction_id: 'tx_retry', actor: 'a@example.com' });
    await sender.settled();

    const deliveries = sender.deliveries();
    assert.deepEqual(
      deliveries.map(({ attempt, status, willRetry, eventId, transactionId }) => ({ attempt, status, willRetry, eventId, transactionId })),
      [
        { attempt: 1, status: 503, willRetry: true, eventId: event.id, transactionId: 'tx_retry' },
        { attempt: 2, status: 202, willRetry: false, eventId: event.id, transactionId: 'tx_retry' },
      ],
    );
    const [first, second] = deliveries;
    assert.ok(first && second);
    assert.ok(Date.parse(second.at) - Date.parse(first.at) >= 35, 'the retry waits its delay');
    assert.equal(target.received.length, 2);
    assert.deepEqual(target.received[1]?.body, target.received[0]?.body, 'a retry re-sends the same bytes');
  });

  test('gives up after the last retry when nobody answers, and setTarget redirects later attempts', async () => {
    const sender = await standaloneSender({ targetUrl: await deadUrl(), retryDelaysMs: [5, 5] });
    await sender.send('transaction.lifecycle.expired', { object: 'transaction', id: 'tx_dead', state: 'expired' });
    await sender.settled();
    assert.deepEqual(
      sender.deliveries().map(({ attempt, status, willRetry }) => ({ attempt, status, willRetry })),
      [
        { attempt: 1, status: null, willRetry: true },
        { attempt: 2, status: null, willRetry: true },
        { attempt: 3, status: null, willRetry: false },
      ],
    );
    assert.ok(sender.deliveries().every((delivery) => typeof delivery.error === 'string' && delivery.error.length > 0));

    const target = await receiver();
    const late = await standaloneSender({ targetUrl: await deadUrl(), retryDelaysMs: [80] });
    await late.send('transaction.lifecycle.started', { object: 'transaction', id: 'tx_late', state: 'started' });
    while (late.deliveries().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    late.setTarget(target.url);
    await late.settled();
    assert.deepEqual(
      late.deliveries().map((delivery) => delivery.status),
      [null, 200],
    );
    assert.equal(late.deliveries()[1]?.targetUrl, target.url);
    assert.equal(target.received.length, 1);
  });

  test('delayMs holds each event back before its first attempt', async () => {
    const target = await receiver();
    const sender = await standaloneSender({ targetUrl: target.url, delayMs: 60 });
    const started = Date.now();
    await sender.send('transaction.lifecycle.started', { object: 'transaction', id: 'tx_delay', state: 'started' });
    assert.equal(target.received.length, 0);
    await sender.settled();
    assert.equal(target.received.length, 1);
    assert.ok(Date.now() - started >= 55);
  });

  test('close() drops pending retries at once', async () => {
    const target = await receiver(() => 503);
    const sender = createWebhookSender({ targetUrl: target.url, keys: await createWebhookKeys(), retryDelaysMs: [60_000] });
    await sender.send('transaction.lifecycle.started', { object: 'transaction', id: 'tx_close', state: 'started' });
    while (sender.deliveries().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await sender.close();
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(
      sender.deliveries().map((delivery) => delivery.status),
      [503],
    );
    assert.equal(target.received.length, 1);
  });
});
