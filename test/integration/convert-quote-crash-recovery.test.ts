/**
 * The worker dies after the Sage gateway transformed the quote but before the action was
 * recorded: the retried activity must end with the same single order, recorded once.
 * Real database and gateway simulator over HTTP; the activity is called as Temporal would retry it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_SAGE_FREE_FIELDS } from '../../activities/actions/business-action-deps';
import { createConvertQuoteToOrder } from '../../activities/actions/convert-quote-to-order';
import { createSageGatewayClient } from '../../activities/sage-gateway-client';
import type { BusinessActionInput } from '../../activities/sync-contracts';
import { createUniversignClient } from '../../activities/universign-client';
import { startSageGatewaySimulator, type SageGatewaySimulator } from '../fakes/sage-gateway-simulator';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let sage: SageGatewaySimulator;

before(async () => {
  [db, sage] = await Promise.all([createTestDatabase(), startSageGatewaySimulator({ token: 'crash-token' })]);
});
after(async () => {
  await Promise.allSettled([db?.close(), sage?.close()]);
});

test('a transform done but not recorded is finished by the retry without a second order', async () => {
  const transactionId = 'tx_crash0001';
  await db.prisma.signatureTransaction.create({
    data: { universignId: transactionId, workflowId: `universign-${transactionId}`, status: 'SIGNE', sageDocumentType: 'devis', sageDocumentNumber: 'D0900' },
  });
  sage.seedDocument({ type: 'devis', number: 'D0900', status: 'en_cours' });
  const gateway = createSageGatewayClient({ baseUrl: sage.url, token: 'crash-token' });
  const convertQuoteToOrder = createConvertQuoteToOrder({
    prisma: db.prisma,
    universign: createUniversignClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'unused' }),
    sage: gateway,
    mailer: null,
    archive: null,
    settings: { notifyTo: [], sageFreeFields: DEFAULT_SAGE_FREE_FIELDS, quoteTypes: ['devis'], cancelOnRefusal: true },
  });
  const input: BusinessActionInput = {
    transactionId,
    workflowId: `universign-${transactionId}`,
    status: 'SIGNE',
    sageDocument: { type: 'devis', number: 'D0900' },
    transactionName: null,
    signers: [],
    documents: [],
    at: new Date().toISOString(),
  };

  // The first attempt: its record says running, the gateway has transformed, then the worker died.
  const row = await db.prisma.signatureTransaction.findUniqueOrThrow({ where: { universignId: transactionId } });
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
  assert.equal(sage.orders().length, 1, 'still exactly one order');

  const record = await db.prisma.businessActionRecord.findFirstOrThrow({ where: { transactionId: row.id, kind: 'CONVERT_QUOTE_TO_ORDER' } });
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
