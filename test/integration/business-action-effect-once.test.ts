/**
 * Once a business action's effect has happened, only its record is retried (at the activity
 * level: Temporal's mock activity context, the real database). A record that fails right after the
 * e-mail went out is retried in place and the e-mail is not sent again; an attempt that finds in
 * its heartbeat details that an earlier one performed the effect records it without redoing it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DEFAULT_BUSINESS_ACTION_SETTINGS } from '../../activities/actions/business-action-deps';
import { createNotifyByEmail } from '../../activities/actions/notify-by-email';
import type { Mailer, MailToSend } from '../../activities/create-mailer';
import type { BusinessActionInput, BusinessActionOutcome } from '../../activities/sync-contracts';
import { createUniversignClient } from '../../activities/universign-client';
import type { PrismaClient } from '../../prisma/generated/client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

/** The database as the activity sees it, with the writes of an action's outcome failing `failures` times (a cut). */
function prismaFailingOutcomeWrites(failures: number): { prisma: PrismaClient; failed: () => number } {
  let failed = 0;
  const records = new Proxy(db.prisma.businessActionRecord, {
    get(target, property, receiver) {
      if (property !== 'updateMany') return Reflect.get(target, property, receiver);
      return (args: { data?: { state?: string } }) => {
        if (args.data?.state && failed < failures) {
          failed += 1;
          return Promise.reject(new Error('Connection terminated unexpectedly'));
        }
        return target.updateMany(args as Parameters<typeof target.updateMany>[0]);
      };
    },
  });
  const prisma = new Proxy(db.prisma, {
    get: (target, property, receiver) => (property === 'businessActionRecord' ? records : Reflect.get(target, property, receiver)),
  });
  return { prisma, failed: () => failed };
}

async function signedTransaction(transactionId: string, prisma: PrismaClient) {
  const row = await db.prisma.signatureTransaction.create({
    data: { universignId: transactionId, workflowId: `universign-${transactionId}`, status: 'SIGNE' },
  });
  const sent: MailToSend[] = [];
  const mailer: Mailer = {
    async send(mail) {
      sent.push(mail);
      return { messageId: `<mail-${sent.length}@test>`, accepted: mail.to, rejected: [] };
    },
    close() {},
  };
  const notifyByEmail = createNotifyByEmail({
    prisma,
    universign: createUniversignClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'unused' }),
    sage: null,
    mailer,
    archive: null,
    settings: { ...DEFAULT_BUSINESS_ACTION_SETTINGS, notifyTo: ['ventes@entreprise.example'] },
  });
  const input: BusinessActionInput = {
    transactionId,
    workflowId: `universign-${transactionId}`,
    status: 'SIGNE',
    sageDocument: null,
    transactionName: null,
    signers: [],
    documents: [],
    at: new Date().toISOString(),
  };
  const record = () =>
    db.prisma.businessActionRecord.findFirst({ where: { transactionId: row.id, kind: 'NOTIFY_BY_EMAIL', status: 'SIGNE' } });
  const runIn = (environment: MockActivityEnvironment) => environment.run(notifyByEmail, input) as Promise<BusinessActionOutcome>;
  return { runIn, sent, record };
}

test('a record that fails right after the e-mail went out is retried in place: one e-mail, recorded done', async () => {
  const cut = prismaFailingOutcomeWrites(3);
  const { runIn, sent, record } = await signedTransaction('tx_effect_once_1', cut.prisma);
  const heartbeats: unknown[] = [];
  const environment = new MockActivityEnvironment({ attempt: 1, heartbeatTimeoutMs: 30_000 });
  environment.on('heartbeat', (details: unknown) => heartbeats.push(details));

  const outcome = await runIn(environment);

  assert.equal(cut.failed(), 3, 'the outcome write failed three times before it went through');
  assert.equal(sent.length, 1, 'the e-mail was sent once');
  assert.equal(outcome.state, 'done');
  const final = await record();
  assert.equal(final?.state, 'done');
  assert.equal(final?.attempts, 1);
  assert.deepEqual((final?.result as { details?: unknown } | undefined)?.details, { messageId: '<mail-1@test>' });
  assert.ok(
    heartbeats.some((details) => (details as { performed?: { state?: string } } | undefined)?.performed?.state === 'done'),
    `the performed outcome went into the heartbeat details: ${JSON.stringify(heartbeats)}`,
  );
});

test('an attempt whose heartbeat details say the e-mail went out records it without sending again', async () => {
  const { runIn, sent, record } = await signedTransaction('tx_effect_once_2', db.prisma);
  // Attempt 1 sent the e-mail, noted it in its heartbeat, then died before recording it: its
  // record is still running, with a lapsed lease.
  const row = await db.prisma.signatureTransaction.findUniqueOrThrow({ where: { universignId: 'tx_effect_once_2' } });
  await db.prisma.businessActionRecord.create({
    data: {
      transactionId: row.id,
      kind: 'NOTIFY_BY_EMAIL',
      status: 'SIGNE',
      state: 'running',
      attempts: 1,
      leaseUntil: new Date(Date.now() - 1),
    },
  });
  const performed = { state: 'done', summary: 'sent to ventes@entreprise.example', result: { messageId: '<attempt-1@test>' } };
  const attempt2 = new MockActivityEnvironment({ attempt: 2, heartbeatTimeoutMs: 30_000, heartbeatDetails: { performed } });

  const outcome = await runIn(attempt2);

  assert.equal(sent.length, 0, 'no second e-mail');
  assert.equal(outcome.state, 'done');
  assert.equal(outcome.summary, performed.summary);
  const final = await record();
  assert.equal(final?.state, 'done');
  assert.equal(final?.attempts, 2);
  assert.deepEqual((final?.result as { details?: unknown } | undefined)?.details, { messageId: '<attempt-1@test>' });
});
