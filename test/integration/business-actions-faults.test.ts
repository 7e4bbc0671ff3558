/**
 * Exactly once under faults: the Sage gateway answers 500 to the first transform attempts,
 * every webhook arrives three times, and the worker is restarted while the actions are being
 * retried. Still one order and one e-mail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { sendQuote } from '../support/send-quote';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ businessActions: true, webhooks: { duplicate: 3 } });
});
after(async () => {
  await stack?.close();
});

test('gateway 500s, duplicated webhooks and a worker restart: one order, one e-mail', async () => {
  const world = stack.world!;
  world.sage.failNext(2, 500, { pathIncludes: '/transform' });
  const { transactionId } = await sendQuote(stack, 'D0500', [{ email: 'dora@client.example', fullName: 'Dora' }]);
  stack.universign.sign(transactionId, 'dora@client.example');

  // Wait until the conversion has failed at least once, then restart the worker in the middle of its retries.
  await waitUntil(
    async () => {
      const action = await stack.db.prisma.businessActionRecord.findFirst({
        where: { kind: 'CONVERT_QUOTE_TO_ORDER', transaction: { universignId: transactionId } },
      });
      return (action?.lastError ?? '').includes('SageGateway');
    },
    'a failed transform attempt',
    30_000,
  );
  await stack.stopWorker();
  await stack.startWorker();

  const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(transactionId)).result();
  assert.equal(result.status, 'SIGNE');
  // Every SIGNE action done; an EN_COURS field update that ran late is skipped as superseded.
  assert.ok(
    result.actions.every((action) => (action.status === 'SIGNE' ? action.state === 'done' : action.state !== 'failed')),
    JSON.stringify(result.actions),
  );

  assert.equal(world.sage.orders().filter((order) => order.from.number === 'D0500').length, 1, 'exactly one order');
  const transforms = world.sage.calls().filter((call) => call.method === 'POST' && call.path.includes('D0500/transform'));
  assert.ok(transforms.length >= 3, `the transform was retried (${transforms.length} calls)`);
  assert.equal(world.smtp.messages().filter((mail) => mail.subject.includes('D0500')).length, 1, 'exactly one e-mail');

  await stack.universign.webhooks!.settled();
  const events = await stack.db.prisma.webhookEvent.findMany({ where: { universignTransactionId: transactionId } });
  assert.ok(
    events.length > 0 && events.every((event) => event.duplicateCount === 2),
    `each webhook came three times: ${JSON.stringify(events.map((e) => [e.type, e.duplicateCount, e.status]))}`,
  );
  const action = await stack.db.prisma.businessActionRecord.findFirstOrThrow({
    where: { kind: 'CONVERT_QUOTE_TO_ORDER', transaction: { universignId: transactionId } },
  });
  assert.ok(action.attempts >= 3, `attempts recorded: ${action.attempts}`);
  assert.equal(action.state, 'done');
});
