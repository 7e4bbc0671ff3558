/**
 * The worker dies after the Sage gateway transformed the quote but before the action was
 * recorded: the retried activity must end with the same single order, recorded once.
 * Real database and gateway simulator over HTTP; the activity is called as Temporal would retry it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_BUSINESS_ACTION_SETTINGS } from '../../activities/actions/business-action-deps';
import { createConvertQuoteToOrder } from '../../activities/actions/convert-quote-to-order';
import { createSageGatewayClient } from '../../activities/sage-gateway-client';
import type { BusinessActionInput } from '../../activities/sync-contracts';
import { createUniversignClient } from '../../activities/universign-client';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let sage: SageGatewaySimulator;

before(async () => {
  [db, sage] = await Promise.all([createTestDatabase(), startSageGatewaySimulator({ token: 'crash-token' })]);
});
after(async () => {
  await Promise.allSettled([db?.close(), sage?.close()]);
});

/** A transaction recorded as SIGNE for a Sage quote, and the conversion activity wired to the gateway simulator. */
async function signedQuote(transactionId: string, number: string) {
  const row = await db.prisma.signatureTransaction.create({
    data: {
      universignId: transactionId,
      workflowId: `universign-${transactionId}`,
      status: 'SIGNE',
      sageDocumentType: 'devis',
      sageDocumentNumber: number,
    },
  });
  sage.seedDocument({ type: 'devis', number, status: 'en_cours' });
  const gateway = createSageGatewayClient({ baseUrl: sage.url, token: 'crash-token' });
  const convertQuoteToOrder = createConvertQuoteToOrder({
    prisma: db.prisma,
    universign: createUniversignClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'unused' }),
    sage: gateway,
    mailer: null,
    archive: null,
    settings: DEFAULT_BUSINESS_ACTION_SETTINGS,
  });
  const input: BusinessActionInput = {
    transactionId,
    workflowId: `universign-${transactionId}`,
    status: 'SIGNE',
    sageDocument: { type: 'devis', number },
    transactionName: null,
    signers: [],
    documents: [],
    at: new Date().toISOString(),
  };
  return { transactionId, row, gateway, convertQuoteToOrder, input };
}

test('a transform done but not recorded is finished by the retry without a second order', async () => {
  const { transactionId, row, gateway, convertQuoteToOrder, input } = await signedQuote('tx_crash0001', 'D0900');

  // The first attempt: its record says running, the gateway has transformed, then the worker died.
  await db.prisma.businessActionRecord.create({
    data: { transactionId: row.id, kind: 'CONVERT_QUOTE_TO_ORDER', status: 'SIGNE', state: 'running', attempts: 1 },
  });
  const firstOrder = await gateway.transformToOrder('devis', 'D0900', `universign-${transactionId}-order`);
  assert.equal(firstOrder.alreadyTransformed, false);

  // Temporal retries the activity on a live worker.
  const outcome = await convertQuoteToOrder(input);
  assert.equal(outcome.state, 'done');
  assert.equal(outcome.replayed, false);
  assert.match(outcome.summary, new RegExp(firstOrder.order.number));
  assert.equal(sage.orders().filter((order) => order.from.number === 'D0900').length, 1, 'still exactly one order');

  const record = await db.prisma.businessActionRecord.findFirstOrThrow({
    where: { transactionId: row.id, kind: 'CONVERT_QUOTE_TO_ORDER' },
  });
  assert.equal(record.state, 'done');
  assert.equal(record.attempts, 2);
  const updated = await db.prisma.signatureTransaction.findUniqueOrThrow({ where: { id: row.id } });
  assert.equal(updated.sageOrderNumber, firstOrder.order.number);

  // Any later call (replay, duplicate) finds it done and does not touch the gateway.
  const callsBefore = sage.calls().length;
  const again = await convertQuoteToOrder(input);
  assert.equal(again.replayed, true);
  assert.equal(sage.calls().length, callsBefore);
});

test('an attempt still running elsewhere holds the action: its retry waits instead of acting in parallel', async () => {
  const { row, convertQuoteToOrder, input } = await signedQuote('tx_lease0001', 'D0901');
  // The first attempt timed out for Temporal but is still at work on a live worker.
  const record = await db.prisma.businessActionRecord.create({
    data: {
      transactionId: row.id,
      kind: 'CONVERT_QUOTE_TO_ORDER',
      status: 'SIGNE',
      state: 'running',
      attempts: 1,
      leaseUntil: new Date(Date.now() + 60_000),
    },
  });
  const callsBefore = sage.calls().length;
  await assert.rejects(convertQuoteToOrder(input), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'ActionInProgress');
    assert.equal(err.nonRetryable, false);
    // Retried right after the lease's end (about 60 s away), not after the policy's backoff.
    const delay = Number(err.nextRetryDelay);
    assert.ok(delay > 55_000 && delay <= 61_000, `nextRetryDelay ${err.nextRetryDelay}`);
    return true;
  });
  assert.equal(sage.calls().length, callsBefore, 'the retry did not touch the gateway');

  // Once the lease has run out (that attempt died), the next retry takes over.
  await db.prisma.businessActionRecord.update({ where: { id: record.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
  const outcome = await convertQuoteToOrder(input);
  assert.equal(outcome.state, 'done');
  const done = await db.prisma.businessActionRecord.findUniqueOrThrow({ where: { id: record.id } });
  assert.equal(done.attempts, 2);
  assert.equal(done.leaseUntil, null);
  assert.equal(sage.orders().filter((order) => order.from.number === 'D0901').length, 1);
});
