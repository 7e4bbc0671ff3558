/**
 * The worker's database cut for 30 seconds while transactions are signed (one quote conversion
 * under way at the cut, two signatures arriving during it): once the database is back, every
 * workflow reaches SIGNE with all its actions done within 30 seconds (the goal is 60: half of it
 * is the margin), each effect once. Records retry at most 10 s apart, actions 30 s apart, and the
 * lease a failed attempt could not release lasts 30 s; before, the conversion waited out a
 * 60-second lease and a 40-second backoff (about 45 s after the return).
 * Real servers: Temporal dev server, PostgreSQL behind a TCP proxy the test cuts (only the worker
 * goes through it; the API keeps its database, so webhooks are still received and signalled), the
 * worker as its own process, the Sage gateway simulator behind a proxy that holds one transform.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { type HoldingHttpProxy, startHoldingHttpProxy } from '../support/holding-http-proxy';
import { sendQuote } from '../support/send-quote';
import { spawnWorkerProcess, type WorkerProcess } from '../support/spawn-worker-process';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitUntil } from '../support/wait-until';

const OUTAGE_MS = 30_000;
/** Workflows settled at most this long after the database is back: the 60-s goal with a margin of half. */
const RECOVERY_LIMIT_MS = 30_000;
const QUOTES = ['D0801', 'D0802', 'D0803'];

let stack: TestStack;
let database: TcpProxy;
let gateway: HoldingHttpProxy;
let worker: WorkerProcess;

before(async () => {
  stack = await startTestStack({ businessActions: true, withoutWorker: true });
  const direct = new URL(stack.db.url);
  database = await startTcpProxy(`${direct.hostname}:${direct.port || 5432}`);
  const throughProxy = new URL(stack.db.url);
  throughProxy.host = database.address;
  gateway = await startHoldingHttpProxy(stack.world!.sage.url);
  worker = await spawnWorkerProcess(stack, { databaseUrl: throughProxy.toString(), sageGatewayUrl: gateway.url });
});
after(async () => {
  await worker?.close();
  await Promise.allSettled([gateway?.close(), database?.close()]);
  await stack?.close();
});

test('the database away for 30 s while quotes are signed: every workflow settled within 30 s of its return', async () => {
  const world = stack.world!;
  const signer = (number: string) => `client-${number.toLowerCase()}@client.example`;
  const sent = new Map<string, string>();
  for (const number of QUOTES) {
    const { transactionId } = await sendQuote(stack, number, [{ email: signer(number), fullName: `Client ${number}` }]);
    sent.set(number, transactionId);
  }
  for (const number of QUOTES) {
    await waitUntil(
      () => world.sage.getDocument('devis', number)?.freeFields.STATUT_SIGNATURE === 'En cours de signature',
      `${number} EN_COURS in Sage`,
    );
  }
  const [first, ...others] = QUOTES as [string, ...string[]];

  // The first quote's conversion is under way at the gateway when the database goes away.
  const held = gateway.holdNext((method, path) => method === 'POST' && path.endsWith(`/devis/${first}/transform`));
  stack.universign.sign(sent.get(first)!, signer(first));
  const transform = await held;
  await database.cut();
  const cutAt = Date.now();
  assert.equal(await transform.forward(), 200, 'the order is made; recording it needs the database');

  // The others are signed while it is away: their webhooks reach the workflows, which cannot record.
  await sleep(2_000);
  for (const number of others) stack.universign.sign(sent.get(number)!, signer(number));

  await sleep(OUTAGE_MS - (Date.now() - cutAt));
  await database.restore();
  const restoredAt = Date.now();

  const results = await Promise.all(
    QUOTES.map(async (number) => {
      const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(sent.get(number)!)).result();
      return { number, result, settledMs: Date.now() - restoredAt };
    }),
  );
  const settledMs = Math.max(...results.map((settled) => settled.settledMs));
  console.log(
    `# settled after the database returned: ${results.map(({ number, settledMs: ms }) => `${number} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
  );
  assert.ok(settledMs <= RECOVERY_LIMIT_MS, `settled ${settledMs} ms after the database returned (limit ${RECOVERY_LIMIT_MS} ms)`);

  for (const { number, result } of results) {
    assert.equal(result.status, 'SIGNE', number);
    assert.ok(
      result.actions.filter((action) => action.status === 'SIGNE').every((action) => action.state === 'done'),
      `${number}: ${JSON.stringify(result.actions)}`,
    );
    const row = await stack.db.prisma.signatureTransaction.findUniqueOrThrow({
      where: { universignId: sent.get(number)! },
      include: { actions: { where: { status: 'SIGNE' } } },
    });
    assert.equal(row.status, 'SIGNE', number);
    assert.ok(
      row.actions.length === 4 && row.actions.every((action) => action.state === 'done'),
      `${number}: ${JSON.stringify(row.actions.map(({ kind, state }) => ({ kind, state })))}`,
    );
    const orders = world.sage.orders().filter((order) => order.from.number === number);
    assert.equal(orders.length, 1, `${number}: exactly one order`);
    assert.equal(row.sageOrderNumber, orders[0]?.order.number, number);
    assert.equal(world.smtp.messages().filter((mail) => mail.subject.includes(number)).length, 1, `${number}: one e-mail`);
  }
});
