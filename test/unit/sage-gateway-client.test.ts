import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createSageGatewayClient, type SageGatewayClientOptions } from '../../activities/sage-gateway-client';
import {
  SageDocumentNotFoundError,
  SageGatewayRejectedError,
  SageGatewayUnavailableError,
  toSageActivityFailure,
} from '../../activities/sage-gateway-errors';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';
import { SAGE_GATEWAY_ERROR_TYPES } from '../../workflows/error-types';

const TOKEN = 'sage-token-9c41e2';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A gateway answering every request with one fixed status and body. */
async function withFixedAnswer<T>(status: number, body: unknown, run: (baseUrl: string) => Promise<T>): Promise<T> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const port = await listen(server);
  try {
    return await run(`http://127.0.0.1:${port}`);
  } finally {
    await closeServer(server);
  }
}

describe('sage gateway client against the simulator', () => {
  let simulator: SageGatewaySimulator;
  let sequence = 0;
  /** A fresh quote number per test, so tests do not depend on each other's documents. */
  let quote = '';

  before(async () => {
    simulator = await startSageGatewaySimulator({ token: TOKEN });
  });
  after(async () => {
    await simulator.close();
  });
  beforeEach(() => {
    sequence += 1;
    quote = `D${String(sequence).padStart(4, '0')}`;
    simulator.seedDocument({ number: quote, freeFields: { STATUT_SIGNATURE: 'EN_ATTENTE', REF_CLIENT: 'C42' } });
  });

  const client = (overrides: Partial<SageGatewayClientOptions> = {}) =>
    createSageGatewayClient({ baseUrl: simulator.url, token: TOKEN, ...overrides });

  test('sends the bearer token and JSON headers', async () => {
    const seen: Headers[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    await client({ fetch: recordingFetch }).getDocument('devis', quote);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.get('authorization'), `Bearer ${TOKEN}`);
    assert.equal(seen[0]?.get('accept'), 'application/json');
    const call = simulator.calls().at(-1);
    assert.deepEqual(
      { method: call?.method, path: call?.path, status: call?.status, authorized: call?.authorized },
      { method: 'GET', path: `/api/documents/devis/${quote}`, status: 200, authorized: true },
    );
  });

  test('getDocument returns type, number, status and free fields', async () => {
    const document = await client().getDocument('devis', quote);
    assert.deepEqual(document, {
      type: 'devis',
      number: quote,
      status: 'en_cours',
      freeFields: { STATUT_SIGNATURE: 'EN_ATTENTE', REF_CLIENT: 'C42' },
    });
  });

  test('path segments are percent-encoded', async () => {
    const odd = `${quote}/A B?#`;
    simulator.seedDocument({ number: odd });
    const document = await client({ baseUrl: `${simulator.url}/` }).getDocument('devis', odd);
    assert.equal(document.number, odd);
    assert.equal(simulator.calls().at(-1)?.path, `/api/documents/devis/${encodeURIComponent(odd)}`);
    await assert.rejects(client().getDocument('devis', '..'), TypeError);
  });

  test('updateFreeFields PATCHes {fields} and the gateway merges them', async () => {
    await client().updateFreeFields('devis', quote, {
      STATUT_SIGNATURE: 'SIGNE',
      DATE_SIGNATURE: '2026-11-28',
      REF_CLIENT: null,
    });
    const call = simulator.calls().at(-1);
    assert.equal(call?.method, 'PATCH');
    assert.equal(call?.path, `/api/documents/devis/${quote}/free-fields`);
    assert.deepEqual(call?.body, { fields: { STATUT_SIGNATURE: 'SIGNE', DATE_SIGNATURE: '2026-11-28', REF_CLIENT: null } });
    assert.deepEqual((await client().getDocument('devis', quote)).freeFields, {
      STATUT_SIGNATURE: 'SIGNE',
      DATE_SIGNATURE: '2026-11-28',
      REF_CLIENT: null,
    });
  });

  test('transformToOrder creates an order and marks the quote transformed', async () => {
    const result = await client().transformToOrder('devis', quote, `tx_1/transform/${quote}`);
    assert.equal(result.alreadyTransformed, false);
    assert.equal(result.order.type, 'commande');
    assert.match(result.order.number, /^BC\d{6}$/);

    const call = simulator.calls().at(-1);
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, `/api/documents/devis/${quote}/transform`);
    assert.equal(call?.idempotencyKey, `tx_1/transform/${quote}`);
    assert.deepEqual(call?.body, { targetType: 'commande' });

    assert.equal((await client().getDocument('devis', quote)).status, 'transforme');
    assert.deepEqual(simulator.getDocument('devis', quote)?.transformedTo, result.order);
    const order = await client().getDocument(result.order.type, result.order.number);
    assert.equal(order.type, 'commande');
    assert.equal(order.number, result.order.number);
  });

  test('a second transform with another key is a 409 read as alreadyTransformed', async () => {
    const first = await client().transformToOrder('devis', quote, `first-${quote}`);
    const second = await client().transformToOrder('devis', quote, `second-${quote}`);
    assert.deepEqual(second, { order: first.order, alreadyTransformed: true });
    assert.equal(simulator.calls().at(-1)?.status, 409);
    assert.equal(simulator.orders().filter((each) => each.from.number === quote).length, 1);
  });

  test('replaying the same Idempotency-Key gives the same order and creates only one', async () => {
    const key = `replay-${quote}`;
    const first = await client().transformToOrder('devis', quote, key);
    const replay = await client().transformToOrder('devis', quote, key);
    assert.deepEqual(replay, first);
    assert.equal(replay.alreadyTransformed, false);
    assert.deepEqual(
      simulator
        .calls()
        .slice(-2)
        .map((call) => call.status),
      [200, 200],
    );
    assert.deepEqual(
      simulator.orders().filter((each) => each.from.number === quote),
      [{ from: { type: 'devis', number: quote }, order: first.order, idempotencyKey: key }],
    );
  });

  test('a successful retry after a 503 creates a single order', async () => {
    simulator.failNext(1, 503, { method: 'POST', pathIncludes: quote });
    const key = `retry-${quote}`;
    await assert.rejects(client().transformToOrder('devis', quote, key), SageGatewayUnavailableError);
    assert.equal(simulator.getDocument('devis', quote)?.status, 'en_cours');
    const result = await client().transformToOrder('devis', quote, key);
    assert.equal(result.alreadyTransformed, false);
    assert.equal(simulator.orders().filter((each) => each.from.number === quote).length, 1);
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
    simulator.seedDocument({ type: 'facture', number: quote });
    await assert.rejects(client().transformToOrder('facture', quote, `k-${quote}`), (err) => {
      assert.ok(err instanceof SageGatewayRejectedError);
      assert.equal(err.status, 422);
      assert.match(err.bodyExcerpt, /not_transformable/);
      return true;
    });
  });

  test('an empty idempotency key is refused before sending', async () => {
    const callCount = simulator.calls().length;
    await assert.rejects(client().transformToOrder('devis', quote, ' '), TypeError);
    assert.equal(simulator.calls().length, callCount);
  });

  test('an unknown document is SageDocumentNotFoundError, on every operation', async () => {
    for (const call of [
      () => client().getDocument('devis', 'NOPE'),
      () => client().updateFreeFields('devis', 'NOPE', { STATUT_SIGNATURE: 'SIGNE' }),
      () => client().transformToOrder('devis', 'NOPE', 'k-nope'),
    ]) {
      await assert.rejects(call(), (err) => {
        assert.ok(err instanceof SageDocumentNotFoundError);
        assert.equal(err.status, 404);
        assert.deepEqual(err.document, { type: 'devis', number: 'NOPE' });
        assert.match(err.message, /\/documents\/devis\/NOPE.* → HTTP 404: .*document_not_found/);
        return true;
      });
    }
  });

  test('a wrong or missing token is SageGatewayRejectedError and never appears in the message', async () => {
    const wrong = 'wrong-token-1b7f';
    await assert.rejects(client({ token: wrong }).getDocument('devis', quote), (err) => {
      assert.ok(err instanceof SageGatewayRejectedError);
      assert.equal(err.status, 401);
      assert.match(err.message, /^Sage gateway GET \/documents\/devis\/D\d+ → HTTP 401: .*invalid bearer token/);
      assert.doesNotMatch(err.message, new RegExp(wrong));
      return true;
    });
    const noAuthFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.delete('authorization');
      return fetch(input, { ...init, headers });
    };
    await assert.rejects(client({ fetch: noAuthFetch }).getDocument('devis', quote), /HTTP 401: .*missing bearer token/);
    assert.deepEqual(
      simulator
        .calls()
        .slice(-2)
        .map((call) => [call.status, call.authorized]),
      [
        [401, false],
        [401, false],
      ],
    );
    assert.throws(() => client({ token: '' }), TypeError);
  });

  test('a body echoing the token is redacted', async () => {
    await withFixedAnswer(400, { error: 'bad', message: `token ${TOKEN} is not allowed here` }, async (baseUrl) => {
      await assert.rejects(createSageGatewayClient({ baseUrl, token: TOKEN }).getDocument('devis', 'D1'), (err) => {
        assert.ok(err instanceof SageGatewayRejectedError);
        assert.doesNotMatch(err.message, new RegExp(TOKEN));
        assert.match(err.message, /\[redacted\]/);
        return true;
      });
    });
  });

  test('500 and 429 are SageGatewayUnavailableError', async () => {
    for (const status of [500, 429]) {
      simulator.failNext(1, status, { method: 'GET' });
      await assert.rejects(client().getDocument('devis', quote), (err) => {
        assert.ok(err instanceof SageGatewayUnavailableError);
        assert.equal(err.status, status);
        assert.match(err.message, new RegExp(`GET /documents/devis/${quote} → HTTP ${status}: .*simulated_failure`));
        return true;
      });
    }
    // Each failure was consumed once: the next call goes through.
    assert.equal((await client().getDocument('devis', quote)).number, quote);
  });

  test('a gateway that does not answer in time is SageGatewayUnavailableError', async () => {
    const hanging = createServer(() => {
      // Never answers.
    });
    const port = await listen(hanging);
    try {
      const started = Date.now();
      await assert.rejects(
        createSageGatewayClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, timeoutMs: 100 }).getDocument('devis', 'D1'),
        (err) => {
          assert.ok(err instanceof SageGatewayUnavailableError);
          assert.equal(err.status, undefined);
          assert.match(err.message, /GET \/documents\/devis\/D1 \(no answer within 100 ms\)/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await closeServer(hanging);
    }
  });

  test('a refused connection is SageGatewayUnavailableError', async () => {
    const server = createServer();
    const port = await listen(server);
    await closeServer(server);
    await assert.rejects(
      createSageGatewayClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN }).getDocument('devis', 'D1'),
      (err) => {
        assert.ok(err instanceof SageGatewayUnavailableError);
        assert.match(err.message, /network error ECONNREFUSED/);
        return true;
      },
    );
  });

  test('a success whose body breaks the contract is a rejection', async () => {
    await withFixedAnswer(200, { type: 'devis' }, async (baseUrl) => {
      await assert.rejects(createSageGatewayClient({ baseUrl, token: TOKEN }).getDocument('devis', 'D1'), (err) => {
        assert.ok(err instanceof SageGatewayRejectedError);
        assert.equal(err.status, 200);
        assert.match(err.message, /document has no type and number/);
        return true;
      });
    });
  });
});

describe('toSageActivityFailure', () => {
  const context = { method: 'GET', path: '/documents/devis/D1' };

  test('maps each error to its type and retryability', () => {
    const cases = [
      [new SageGatewayUnavailableError({ ...context, status: 503 }), SAGE_GATEWAY_ERROR_TYPES.unavailable, false],
      [new SageGatewayUnavailableError({ ...context, reason: 'no answer within 10 ms' }), 'SageGatewayUnavailable', false],
      [new SageGatewayRejectedError({ ...context, status: 401 }), 'SageGatewayRejected', true],
      [new SageDocumentNotFoundError({ ...context, status: 404 }, { type: 'devis', number: 'D1' }), 'SageDocumentNotFound', true],
    ] as const;
    for (const [err, type, nonRetryable] of cases) {
      const failure = toSageActivityFailure(err);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, nonRetryable);
      assert.equal(failure.message, err.message);
      assert.equal(failure.cause, err);
      assert.deepEqual(failure.details, err.status === undefined ? [] : [{ status: err.status }]);
    }
  });

  test('passes other errors through', () => {
    const other = new Error('boom');
    assert.equal(toSageActivityFailure(other), other);
    assert.equal(toSageActivityFailure('text'), 'text');
  });
});
