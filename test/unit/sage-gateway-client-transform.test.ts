// The Sage gateway client's quote-to-order transform: creation, 409 as already transformed, idempotency keys, retries and rejections.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSageGatewayClient } from '../../activities/sage-gateway-client';
import { SageGatewayRejectedError, SageGatewayUnavailableError } from '../../activities/sage-gateway-errors';
import { TOKEN, useSageGatewaySimulator, withFixedAnswer } from './sage-gateway-client-support';

describe('sage gateway client against the simulator', () => {
  const gw = useSageGatewaySimulator();
  const { client } = gw;

  test('transformToOrder creates an order and marks the quote transformed', async () => {
    const result = await client().transformToOrder('devis', gw.quote, `tx_1/transform/${gw.quote}`);
    assert.equal(result.alreadyTransformed, false);
    assert.equal(result.order.type, 'commande');
    assert.match(result.order.number, /^BC\d{6}$/);

    const call = gw.simulator.calls().at(-1);
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, `/api/documents/devis/${gw.quote}/transform`);
    assert.equal(call?.idempotencyKey, `tx_1/transform/${gw.quote}`);
    assert.deepEqual(call?.body, { targetType: 'commande' });

    assert.equal((await client().getDocument('devis', gw.quote)).status, 'transforme');
    assert.deepEqual(gw.simulator.getDocument('devis', gw.quote)?.transformedTo, result.order);
    const order = await client().getDocument(result.order.type, result.order.number);
    assert.equal(order.type, 'commande');
    assert.equal(order.number, result.order.number);
  });

  test('a second transform with another key is a 409 read as alreadyTransformed', async () => {
    const first = await client().transformToOrder('devis', gw.quote, `first-${gw.quote}`);
    const second = await client().transformToOrder('devis', gw.quote, `second-${gw.quote}`);
    assert.deepEqual(second, { order: first.order, alreadyTransformed: true });
    assert.equal(gw.simulator.calls().at(-1)?.status, 409);
    assert.equal(gw.simulator.orders().filter((each) => each.from.number === gw.quote).length, 1);
  });

  test('replaying the same Idempotency-Key gives the same order and creates only one', async () => {
    const key = `replay-${gw.quote}`;
    const first = await client().transformToOrder('devis', gw.quote, key);
    const replay = await client().transformToOrder('devis', gw.quote, key);
    assert.deepEqual(replay, first);
    assert.equal(replay.alreadyTransformed, false);
    assert.deepEqual(
      gw.simulator
        .calls()
        .slice(-2)
        .map((call) => call.status),
      [200, 200],
    );
    assert.deepEqual(
      gw.simulator.orders().filter((each) => each.from.number === gw.quote),
      [{ from: { type: 'devis', number: gw.quote }, order: first.order, idempotencyKey: key }],
    );
  });

  test('a successful retry after a 503 creates a single order', async () => {
    gw.simulator.failNext(1, 503, { method: 'POST', pathIncludes: gw.quote });
    const key = `retry-${gw.quote}`;
    await assert.rejects(client().transformToOrder('devis', gw.quote, key), SageGatewayUnavailableError);
    assert.equal(gw.simulator.getDocument('devis', gw.quote)?.status, 'en_cours');
    const result = await client().transformToOrder('devis', gw.quote, key);
    assert.equal(result.alreadyTransformed, false);
    assert.equal(gw.simulator.orders().filter((each) => each.from.number === gw.quote).length, 1);
  });

  test('a 201 answer is a created order too', async () => {
    await withFixedAnswer(201, { type: 'commande', number: 'BC777777' }, async (baseUrl) => {
      const result = await createSageGatewayClient({ baseUrl, token: TOKEN }).transformToOrder('devis', 'D1', 'k');
      assert.deepEqual(result, { order: { type: 'commande', number: 'BC777777' }, alreadyTransformed: false });
    });
  });

  test('a 409 without an existing order is a rejection', async () => {
    await withFixedAnswer(409, { error: 'locked', message: 'document is being edited in Sage' }, async (baseUrl) => {
      await assert.rejects(createSageGatewayClient({ baseUrl, token: TOKEN }).transformToOrder('devis', 'D1', 'k'), (err) => {
        assert.ok(err instanceof SageGatewayRejectedError);
        assert.equal(err.status, 409);
        assert.match(err.message, /POST \/documents\/devis\/D1\/transform → HTTP 409: .*being edited/);
        return true;
      });
    });
  });

  test('transforming a non-quote is rejected with 422', async () => {
    gw.simulator.seedDocument({ type: 'facture', number: gw.quote });
    await assert.rejects(client().transformToOrder('facture', gw.quote, `k-${gw.quote}`), (err) => {
      assert.ok(err instanceof SageGatewayRejectedError);
      assert.equal(err.status, 422);
      assert.match(err.bodyExcerpt, /not_transformable/);
      return true;
    });
  });

  test('an empty idempotency key is refused before sending', async () => {
    const callCount = gw.simulator.calls().length;
    await assert.rejects(client().transformToOrder('devis', gw.quote, ' '), TypeError);
    assert.equal(gw.simulator.calls().length, callCount);
  });
});
