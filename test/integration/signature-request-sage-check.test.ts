/**
 * POST /api/signature-requests checks the Sage document on the Sage gateway before anything
 * reaches Universign, on the real stack (Temporal dev server, database, Universign and Sage
 * gateway simulators, worker, the app over loopback HTTP): an unknown document is a 422, a gateway
 * that does not answer a 503 with Retry-After, a refused token a 502, and in each case no upload, no
 * transaction and no workflow; a known document is sent; without a gateway nothing is checked.
 * Apps with another gateway (none, a closed port, a silent one, a wrong token) share the stack's
 * other dependencies.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createSageGatewayClient, type SageGatewayClient } from '../../activities/sage-gateway-client';
import { createApp } from '../../api/create-app';
import { RETRY_AFTER_SECONDS } from '../../api/plugins/error-handler';
import { signatureRequestHelpers } from '../support/signature-request-helpers';
import { startTestStack, TEST_SAGE_TOKEN, type TestBusinessWorld, type TestStack } from '../support/start-test-stack';

let stack: TestStack;
let world: TestBusinessWorld;
const extraApps: FastifyInstance[] = [];
const sockets = new Set<Socket>();
let silentGateway: Server;

before(async () => {
  stack = await startTestStack({ businessActions: true });
  if (!stack.world) throw new Error('the stack has no Sage gateway simulator');
  world = stack.world;
  // A gateway that accepts connections and never answers: the client's timeout decides.
  silentGateway = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silentGateway.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.allSettled([...extraApps.map((app) => app.close()), new Promise((resolve) => silentGateway?.close(resolve))]);
  await stack?.close();
});

const { requestBody, post, transactionsFor, writesDuring, assertNoSendWorkflow, getRequest } = signatureRequestHelpers(() => stack);

/** The stack's app again, with another Sage gateway client (or none), listening on loopback. */
async function appWithGateway(sage: SageGatewayClient | null) {
  const app = await createApp({ ...stack.app.deps, sage });
  extraApps.push(app);
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return signatureRequestHelpers(() => ({ ...stack, apiUrl }));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Calls the Sage simulator received for one document. */
const sageGets = (number: string) =>
  world.sage.calls().filter((call) => call.method === 'GET' && call.path === `/api/documents/devis/${encodeURIComponent(number)}`);

describe('POST /api/signature-requests: the Sage document is checked first', () => {
  test('an unknown document: 422 naming it, and nothing sent to Universign, no workflow started', async () => {
    const key = 'sage-check-unknown';
    const { result: response, writes } = await writesDuring(() => post(requestBody('4242'), { key }));
    assert.equal(response.status, 422, JSON.stringify(response.body));
    assert.equal(response.body.message, 'Sage document devis 4242 does not exist');
    assert.equal(response.body.step, 'check the Sage document');
    assert.equal(response.body.requestId, `send-key-${key}`);
    assert.deepEqual(writes, [], 'no upload, no transaction');
    assert.equal(transactionsFor('4242').length, 0);
    await assertNoSendWorkflow(key);
    assert.equal((await getRequest(response.body.requestId)).status, 404, 'no send to report');
    assert.deepEqual(
      sageGets('4242').map((call) => [call.status, call.authorized]),
      [[404, true]],
      'asked the gateway once, with its token',
    );
  });

  test('a number no gateway URL can hold (..): 422 too, without a call', async () => {
    const { result: response, writes } = await writesDuring(() => post(requestBody('..')));
    assert.equal(response.status, 422, JSON.stringify(response.body));
    assert.equal(response.body.message, 'Sage document devis .. does not exist');
    assert.deepEqual(writes, []);
  });

  test('a known document: checked, then sent (201) as before', async () => {
    world.sage.seedDocument({ type: 'devis', number: 'D-SC-1' });
    const response = await post(requestBody('D-SC-1'), { key: 'sage-check-known' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.status, 'EN_COURS');
    assert.equal(transactionsFor('D-SC-1').length, 1);
    assert.deepEqual(
      sageGets('D-SC-1').map((call) => call.status),
      [200],
      'checked once',
    );
  });

  test('the gateway answers 5xx: 503 with Retry-After, nothing sent; the same key succeeds once the gateway is back', async () => {
    world.sage.seedDocument({ type: 'devis', number: 'D-SC-2' });
    world.sage.failNext(1, 503, { method: 'GET', pathIncludes: '/documents/devis/D-SC-2' });
    const key = 'sage-check-gateway-5xx';
    const { result: response, writes } = await writesDuring(() => post(requestBody('D-SC-2'), { key }));
    assert.equal(response.status, 503, JSON.stringify(response.body));
    assert.equal(response.headers.get('retry-after'), String(RETRY_AFTER_SECONDS));
    assert.match(
      response.body.message,
      /^the Sage gateway is unavailable \(HTTP 503\), so Sage document devis D-SC-2 cannot be checked; retry later$/,
    );
    assert.equal(response.body.step, 'check the Sage document');
    assert.deepEqual(writes, []);
    await assertNoSendWorkflow(key);

    const retried = await post(requestBody('D-SC-2'), { key });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.headers.get('idempotent-replayed'), null, 'a new send, not a replay of the failure');
    assert.equal(transactionsFor('D-SC-2').length, 1);
  });

  test('the gateway unreachable or silent: 503 with Retry-After, nothing sent, no workflow', async () => {
    const refused = await appWithGateway(
      createSageGatewayClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/api`, token: TEST_SAGE_TOKEN }),
    );
    const { port } = silentGateway.address() as { port: number };
    const silent = await appWithGateway(
      createSageGatewayClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: TEST_SAGE_TOKEN, timeoutMs: 300 }),
    );
    world.sage.seedDocument({ type: 'devis', number: 'D-SC-3' });
    for (const [what, app] of [
      ['connection refused', refused],
      ['no answer before the timeout', silent],
    ] as const) {
      const key = `sage-check-down-${what.split(' ')[0]}`;
      const { result: response, writes } = await writesDuring(() => app.post(requestBody('D-SC-3'), { key }));
      assert.equal(response.status, 503, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.headers.get('retry-after'), String(RETRY_AFTER_SECONDS), what);
      assert.match(
        response.body.message,
        /^the Sage gateway is unavailable \(no answer\), so Sage document devis D-SC-3 cannot be checked/,
        what,
      );
      assert.deepEqual(writes, [], `${what}: nothing sent`);
      await assertNoSendWorkflow(key);
    }
    assert.equal(transactionsFor('D-SC-3').length, 0);
  });

  test("the gateway refuses the API's token: 502 saying so, the token never quoted, nothing sent", async () => {
    const wrongToken = 'wrong-sage-token-s3cr3t';
    const app = await appWithGateway(createSageGatewayClient({ baseUrl: world.sage.url, token: wrongToken }));
    world.sage.seedDocument({ type: 'devis', number: 'D-SC-4' });
    const key = 'sage-check-bad-token';
    const { result: response, writes } = await writesDuring(() => app.post(requestBody('D-SC-4'), { key }));
    assert.equal(response.status, 502, JSON.stringify(response.body));
    assert.match(response.body.message, /refused this API's credentials \(HTTP 401\).*check SAGE_GATEWAY_TOKEN$/);
    assert.ok(!JSON.stringify(response.body).includes(wrongToken), 'the token is not echoed');
    assert.deepEqual(writes, []);
    await assertNoSendWorkflow(key);
  });

  test('an Idempotency-Key retry joins its send before any check, even while the gateway is down', async () => {
    world.sage.seedDocument({ type: 'devis', number: 'D-SC-5' });
    const key = 'sage-check-join-first';
    const first = await post(requestBody('D-SC-5'), { key });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const down = await appWithGateway(
      createSageGatewayClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/api`, token: TEST_SAGE_TOKEN }),
    );
    const retried = await down.post(requestBody('D-SC-5'), { key });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retried.body, first.body);
  });

  test('no gateway configured: the document is not checked and the send goes ahead', async () => {
    const unchecked = await appWithGateway(null);
    const response = await unchecked.post(requestBody('D-SC-UNSEEDED'), { key: 'sage-check-not-configured' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(transactionsFor('D-SC-UNSEEDED').length, 1);
    assert.equal(sageGets('D-SC-UNSEEDED').length, 0, 'the API asked nothing of the gateway');
  });
});
