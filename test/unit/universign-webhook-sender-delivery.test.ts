// How the Universign webhook sender delivers: its retry schedule, duplicates, reordering, retries, giving up, delays and close().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_RETRY_DELAYS_MS, UNIVERSIGN_RETRY_DELAYS_MS } from '../../simulators/universign-webhook-delivery';
import { createWebhookKeys } from '../../simulators/universign-webhook-keys';
import { createWebhookSender } from '../../simulators/universign-webhook-sender';
import { bodyOf, deadUrl, seededRandom, useSenderResources } from './universign-webhook-sender-support';

describe('Universign webhook sender', () => {
  const { receiver, standaloneSender } = useSenderResources();

  test("the test retry schedule keeps the shape of Universign's", () => {
    assert.equal(TEST_RETRY_DELAYS_MS.length, UNIVERSIGN_RETRY_DELAYS_MS.length);
    assert.deepEqual(UNIVERSIGN_RETRY_DELAYS_MS.slice(0, 2), [60_000, 300_000]);
    assert.deepEqual(TEST_RETRY_DELAYS_MS.slice(0, 2), [10, 50]);
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
