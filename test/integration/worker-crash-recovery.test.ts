/**
 * A worker process killed (SIGKILL) in the middle of a business action, a second worker running:
 * the action is taken over and its effect recorded within 60 seconds of the kill, exactly once.
 * Real servers: Temporal dev server, PostgreSQL, the worker as its own process; the Sage gateway
 * simulator behind a proxy that holds the quote's transform so the kill lands while it is under way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { type HoldingHttpProxy, startHoldingHttpProxy } from '../support/holding-http-proxy';
import { sendQuote } from '../support/send-quote';
import { spawnWorkerProcess, type WorkerProcess } from '../support/spawn-worker-process';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

/** The goal of the recovery: business effects visible at most this long after a worker crash. */
const RECOVERY_LIMIT_MS = 60_000;

let stack: TestStack;
let gateway: HoldingHttpProxy;
let doomed: WorkerProcess;

before(async () => {
  stack = await startTestStack({ businessActions: true, withoutWorker: true });
  gateway = await startHoldingHttpProxy(stack.world!.sage.url);
  doomed = await spawnWorkerProcess(stack, { sageGatewayUrl: gateway.url });
});
after(async () => {
  await doomed?.close();
  await gateway?.close();
  await stack?.close();
});

test('a worker killed during a quote conversion: the order made once and recorded within 60 s by the other worker', async () => {
  const { prisma } = stack.db;
  const world = stack.world!;
  const { transactionId } = await sendQuote(stack, 'D0700', [{ email: 'eve@client.example', fullName: 'Eve Petit' }]);
  const actionState = async (kind: string) =>
    (
      await prisma.businessActionRecord.findFirst({
        where: { transaction: { universignId: transactionId }, kind, status: 'SIGNE' },
      })
    )?.state;

  const held = gateway.holdNext((method, path) => method === 'POST' && path.endsWith('/devis/D0700/transform'));
  stack.universign.sign(transactionId, 'eve@client.example');
  const transform = await withTimeout(held, 30_000, 'the quote transform reaching the gateway');
  // Only the conversion is under way when the worker dies (the e-mail and the archive are recorded).
  for (const kind of ['NOTIFY_BY_EMAIL', 'ARCHIVE_SIGNED_DOCUMENTS', 'UPDATE_SAGE_FIELDS']) {
    await waitUntil(async () => (await actionState(kind)) === 'done', `${kind} done before the kill`);
  }
  await stack.startWorker();

  await doomed.kill();
  const killedAt = Date.now();
  // The gateway carries out the transform the dead worker asked for; nobody hears its answer.
  assert.equal(await transform.forward(), 200);
  assert.equal(world.sage.orders().filter((order) => order.from.number === 'D0700').length, 1);

  await waitUntil(async () => (await actionState('CONVERT_QUOTE_TO_ORDER')) === 'done', 'the conversion recorded', 120_000);
  const recordedMs = Date.now() - killedAt;
  console.log(`# conversion recorded ${(recordedMs / 1000).toFixed(1)} s after the worker was killed`);

  const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(transactionId)).result();
  console.log(`# workflow completed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the worker was killed`);
  assert.ok(recordedMs <= RECOVERY_LIMIT_MS, `recorded ${recordedMs} ms after the kill (limit ${RECOVERY_LIMIT_MS} ms)`);
  assert.equal(result.status, 'SIGNE');
  assert.ok(
    result.actions.filter((action) => action.status === 'SIGNE').every((action) => action.state === 'done'),
    JSON.stringify(result.actions),
  );
  const orders = world.sage.orders().filter((order) => order.from.number === 'D0700');
  assert.equal(orders.length, 1, 'exactly one order');
  const row = await prisma.signatureTransaction.findUniqueOrThrow({ where: { universignId: transactionId } });
  assert.equal(row.sageOrderNumber, orders[0]?.order.number, 'the order recorded is the one the dead worker asked for');
  assert.equal(world.smtp.messages().filter((mail) => mail.subject.includes('D0700')).length, 1, 'one e-mail');
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
