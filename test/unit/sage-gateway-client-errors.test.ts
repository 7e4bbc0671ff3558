// How the Sage gateway client reports failures: not found, rejected (token never leaked), unavailable, broken contract; and toSageActivityFailure.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createSageGatewayClient } from '../../activities/sage-gateway-client';
import {
  SageDocumentNotFoundError,
  SageGatewayRejectedError,
  SageGatewayUnavailableError,
  toSageActivityFailure,
} from '../../activities/sage-gateway-errors';
import { SAGE_GATEWAY_ERROR_TYPES } from '../../workflows/error-types';
import { closeServer, listen, TOKEN, useSageGatewaySimulator, withFixedAnswer } from './sage-gateway-client-support';

describe('sage gateway client against the simulator', () => {
  const gw = useSageGatewaySimulator();
  const { client } = gw;

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
    await assert.rejects(client({ token: wrong }).getDocument('devis', gw.quote), (err) => {
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
    await assert.rejects(client({ fetch: noAuthFetch }).getDocument('devis', gw.quote), /HTTP 401: .*missing bearer token/);
    assert.deepEqual(
      gw.simulator
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
      gw.simulator.failNext(1, status, { method: 'GET' });
      await assert.rejects(client().getDocument('devis', gw.quote), (err) => {
        assert.ok(err instanceof SageGatewayUnavailableError);
        assert.equal(err.status, status);
        assert.match(err.message, new RegExp(`GET /documents/devis/${gw.quote} → HTTP ${status}: .*simulated_failure`));
        return true;
      });
    }
    // Each failure was consumed once: the next call goes through.
    assert.equal((await client().getDocument('devis', gw.quote)).number, gw.quote);
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
