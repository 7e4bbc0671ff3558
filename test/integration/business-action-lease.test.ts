/**
 * The lease of a business action's record, at the activity level (Temporal's mock activity
 * context, the real database): the attempt under way heartbeats and renews its lease while the
 * effect runs, and records its outcome only while it still holds the record, so an attempt
 * Temporal timed out and retried can never overwrite what its retry recorded.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure, type Logger, type LogLevel, type LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DEFAULT_BUSINESS_ACTION_SETTINGS } from '../../activities/actions/business-action-deps';
import { createNotifyByEmail } from '../../activities/actions/notify-by-email';
import type { Mailer, MailToSend, SentMail } from '../../activities/create-mailer';
import type { BusinessActionInput, BusinessActionOutcome } from '../../activities/sync-contracts';
import { createUniversignClient } from '../../activities/universign-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

/** A mailer whose sends each wait until the test releases them, answering with the given Message-ID. */
function gatedMailer() {
  const gates: Array<{ mail: MailToSend; release: (messageId: string) => void; fail: (err: Error) => void }> = [];
  const mailer: Mailer = {
    send(mail) {
      return new Promise<SentMail>((resolve, reject) => {
        gates.push({
          mail,
          release: (messageId) => resolve({ messageId, accepted: mail.to, rejected: [] }),
          fail: reject,
        });
      });
    },
    close() {},
  };
  return { mailer, gates };
}

/** Collects what the activity logs (the worker's logger in production). */
function recordingLogger() {
  const lines: Array<{ level: LogLevel; message: string; meta?: LogMetadata }> = [];
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void => {
      lines.push({ level, message, ...(meta ? { meta } : {}) });
    };
  const logger: Logger = {
    log: (level, message, meta) => lines.push({ level, message, ...(meta ? { meta } : {}) }),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
  return { logger, lines };
}

async function signedTransaction(transactionId: string) {
  const row = await db.prisma.signatureTransaction.create({
    data: { universignId: transactionId, workflowId: `universign-${transactionId}`, status: 'SIGNE' },
  });
  const { mailer, gates } = gatedMailer();
  const notifyByEmail = createNotifyByEmail({
    prisma: db.prisma,
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
  /** Runs the activity as one attempt in the given (mock) activity context. */
  const runIn = (environment: MockActivityEnvironment) => environment.run(notifyByEmail, input) as Promise<BusinessActionOutcome>;
  return { runIn, gates, record };
}

test('an attempt that lost its lease to its retry records nothing when it completes late', async () => {
  const { runIn, gates, record } = await signedTransaction('tx_lease_late1');
  const first = recordingLogger();
  const attempt1 = new MockActivityEnvironment({ attempt: 1, heartbeatTimeoutMs: 30_000 }, { logger: first.logger });
  const running1 = runIn(attempt1);
  running1.catch(() => undefined); // awaited below; kept from being reported as unhandled meanwhile
  await waitUntil(() => gates.length === 1, 'attempt 1 sending its mail');

  // Attempt 1 stalls: its heartbeats stop reaching Temporal, which times it out (the worker
  // cancels its context) and retries; its lease in the database lapses.
  attempt1.cancel('TIMED_OUT');
  const held = await record();
  assert.ok(held);
  assert.equal(held.attempts, 1);
  await db.prisma.businessActionRecord.update({ where: { id: held.id }, data: { leaseUntil: new Date(Date.now() - 1) } });

  // Attempt 2 takes the record over and completes.
  const attempt2 = new MockActivityEnvironment({ attempt: 2, heartbeatTimeoutMs: 30_000 });
  const running2 = runIn(attempt2);
  await waitUntil(() => gates.length === 2, 'attempt 2 sending its mail');
  gates[1]?.release('<attempt-2@test>');
  const outcome2 = await running2;
  assert.equal(outcome2.state, 'done');
  const afterRetry = await record();
  assert.equal(afterRetry?.attempts, 2);
  assert.equal(afterRetry?.state, 'done');

  // Attempt 1 completes late: it no longer holds the record, so it records nothing and says so.
  gates[0]?.release('<attempt-1@test>');
  const late = await running1.then(
    (outcome) => ({ outcome }),
    (error: unknown) => ({ error }),
  );
  const final = await record();
  assert.ok(final);
  assert.equal(final.state, 'done');
  assert.equal(final.attempts, 2);
  assert.deepEqual((final.result as { details?: unknown }).details, { messageId: '<attempt-2@test>' }, "attempt 2's outcome kept");
  assert.ok('error' in late, `attempt 1 must fail, not report ${JSON.stringify(late)}`);
  assert.ok(late.error instanceof ApplicationFailure, String(late.error));
  assert.equal(late.error.type, 'ActionLeaseLost');
  assert.ok(
    first.lines.some((line) => line.level === 'WARN' && /lease/i.test(line.message)),
    `attempt 1 logged its lost lease: ${JSON.stringify(first.lines)}`,
  );
});

test('an attempt that lost its lease and then fails leaves its retry’s lease and record alone', async () => {
  const { runIn, gates, record } = await signedTransaction('tx_lease_late2');
  const attempt1 = new MockActivityEnvironment({ attempt: 1, heartbeatTimeoutMs: 30_000 });
  const running1 = runIn(attempt1);
  running1.catch(() => undefined);
  await waitUntil(() => gates.length === 1, 'attempt 1 sending its mail');
  attempt1.cancel('TIMED_OUT');
  const held = await record();
  assert.ok(held);
  await db.prisma.businessActionRecord.update({ where: { id: held.id }, data: { leaseUntil: new Date(Date.now() - 1) } });

  // Attempt 2 takes over and is still at work when attempt 1 fails late.
  const attempt2 = new MockActivityEnvironment({ attempt: 2, heartbeatTimeoutMs: 30_000 });
  const running2 = runIn(attempt2);
  await waitUntil(() => gates.length === 2, 'attempt 2 sending its mail');
  const taken = await record();
  assert.equal(taken?.attempts, 2);
  gates[0]?.fail(new Error('SMTP connection reset'));
  await assert.rejects(running1, /SMTP connection reset/);
  const during = await record();
  assert.equal(during?.lastError, null, "attempt 1's error is not written over attempt 2's record");
  assert.equal(during?.leaseUntil?.getTime(), taken?.leaseUntil?.getTime(), "attempt 2's lease is left in place");

  gates[1]?.release('<attempt-2@test>');
  assert.equal((await running2).state, 'done');
});

test('the attempt under way heartbeats and renews its lease while the effect runs', async () => {
  const { runIn, gates, record } = await signedTransaction('tx_lease_beat');
  // A 600 ms heartbeat timeout: the attempt heartbeats (and renews its lease) every 200 ms.
  const attempt = new MockActivityEnvironment({ attempt: 1, heartbeatTimeoutMs: 600 });
  let heartbeats = 0;
  attempt.on('heartbeat', () => {
    heartbeats += 1;
  });
  const running = runIn(attempt);
  await waitUntil(() => gates.length === 1, 'attempt 1 sending its mail');
  const first = await record();
  const firstLease = first?.leaseUntil?.getTime();
  assert.ok(firstLease);
  assert.ok(firstLease - Date.now() <= 1_200 + 1_000, `the lease follows the heartbeat timeout (${firstLease - Date.now()} ms left)`);

  await waitUntil(() => heartbeats >= 3, 'three heartbeats', 5_000);
  await waitUntil(async () => ((await record())?.leaseUntil?.getTime() ?? 0) > firstLease, 'the lease renewed', 5_000);
  gates[0]?.release('<beat@test>');
  assert.equal((await running).state, 'done');
  const done = await record();
  assert.equal(done?.leaseUntil, null);
  const beatsAtEnd = heartbeats;
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(heartbeats, beatsAtEnd, 'no heartbeat once the attempt ended');
});
