/**
 * Temporal unreachable when a webhook arrives: the event is recorded and acknowledged (the answer
 * never waits on Temporal), its signal fails and it stays pending, and once Temporal is back it is
 * delivered by the API's background redelivery, without waiting for any retry from Universign.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { buildWebhookEvent, signWebhookBody } from '../../simulators/universign-webhook-event';
import { signatureWorkflowId } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;
let proxy: TcpProxy;
let connection: Connection;

before(async () => {
  stack = await startTestStack({
    settings: { redeliveryIntervalMs: 500 },
    temporalClient: async (env) => {
      proxy = await startTcpProxy(env.address);
      connection = await Connection.connect({ address: proxy.address });
      return new Client({ connection });
    },
  });
});
after(async () => {
  await stack?.close();
  await connection?.close();
  await proxy?.close();
});

test('Temporal unreachable: the event acknowledged and kept, then delivered after recovery', async () => {
  const tx = stack.universign.createTransaction({ state: 'started', signers: [{ email: 'zoe@client.example' }] });
  const event = buildWebhookEvent({
    type: 'transaction.lifecycle.started',
    payloadObject: stack.universign.getTransactionJson(tx.id),
    createdAt: new Date().toISOString(),
  });
  const signature = await signWebhookBody(event.rawBody, stack.universign.webhooks!.keys.current());

  await proxy.cut();
  const started = Date.now();
  const response = await fetch(`${stack.apiUrl}/webhooks/universign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-jws-signature': signature },
    body: event.rawBody,
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'accepted', eventId: event.id });
  console.log(`# acknowledged in ${Date.now() - started} ms with Temporal unreachable`);

  await waitUntil(
    async () => ((await stack.db.prisma.webhookEvent.findUnique({ where: { eventId: event.id } }))?.deliveryAttempts ?? 0) >= 1,
    'the failed delivery attempt recorded',
  );
  const pending = await stack.db.prisma.webhookEvent.findUnique({ where: { eventId: event.id } });
  assert.equal(pending?.status, 'received', 'the event is kept, not yet signalled');
  assert.ok(pending?.lastError, 'with the error of the failed attempt');

  await proxy.restore();
  await waitUntil(
    async () => (await stack.db.prisma.webhookEvent.findUnique({ where: { eventId: event.id } }))?.status === 'signalled',
    'the pending event delivered after recovery',
    30_000,
  );
  await waitUntil(
    async () => (await stack.db.prisma.signatureTransaction.findUnique({ where: { universignId: tx.id } }))?.status === 'EN_COURS',
    'the workflow started by the redelivered event to record the transaction',
  );
  const state = await stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id)).query('state');
  assert.equal((state as { webhookReceived: boolean }).webhookReceived, true);

  // Universign's own retry of the same event now finds it delivered.
  const retry = await fetch(`${stack.apiUrl}/webhooks/universign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-jws-signature': signature },
    body: event.rawBody,
  });
  assert.deepEqual(await retry.json(), { status: 'duplicate', eventId: event.id });
});
