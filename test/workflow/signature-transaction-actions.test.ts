// The signatureTransaction workflow's business actions: their queues, once per status, retries, permanent failures, Sage update order and continue-as-new around them, on the time-skipping server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { resyncUpdate, stateQuery, type TransactionState, universignEventSignal } from '../../workflows/messages';
import { universignTaskQueue } from '../../workflows/task-queues';
import { gate } from './fake-sync-activities';
import { HOUR, useSignatureWorkflowEnv, waitFor } from './signature-transaction-harness';

const { withWorkflow, sleep } = useSignatureWorkflowEnv();

describe('signatureTransaction workflow (time-skipping server)', () => {
  test('Universign calls run on their own rate-limited queue; sync records are local activities; other actions stay on the main queue', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle, taskQueue }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await sleep(HOUR * 1000);
      fake.transaction.state = 'completed';
      await handle.result();
      const where = (name: string) => [
        ...new Set(fake.placements.filter((p) => p.name === name).map((p) => `${p.taskQueue}${p.local ? ' (local)' : ''}`)),
      ];
      const universign = universignTaskQueue(taskQueue);
      assert.deepEqual(where('fetchUniversignTransaction'), [universign]);
      assert.deepEqual(where('archiveSignedDocuments'), [universign]);
      assert.deepEqual(where('recordSyncResult'), [`${taskQueue} (local)`]);
      assert.deepEqual(where('recordQuietSync'), [`${taskQueue} (local)`]);
      assert.deepEqual(where('updateSageFields'), [taskQueue]);
      assert.deepEqual(where('convertQuoteToOrder'), [taskQueue]);
      assert.deepEqual(where('notifyByEmail'), [taskQueue]);
    });
  });

  test('each status change runs its business actions once, and completion waits for them', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await sleep(3 * HOUR * 1000);
      fake.transaction.state = 'completed';
      const result: TransactionState = await handle.result();
      assert.equal(result.status, 'SIGNE');
      const calls = fake.actionCalls.map((call) => `${call.input.status}:${call.name}`);
      assert.deepEqual(calls.sort(), [
        'EN_COURS:updateSageFields',
        'SIGNE:archiveSignedDocuments',
        'SIGNE:convertQuoteToOrder',
        'SIGNE:notifyByEmail',
        'SIGNE:updateSageFields',
      ]);
      assert.ok(
        result.actions.every((action) => action.state === 'done'),
        'the result lists every action done',
      );
      assert.equal(result.actions.length, 5);
      const signed = fake.actionCalls.find((call) => call.name === 'archiveSignedDocuments')?.input;
      assert.deepEqual(signed?.documents, [{ id: 'doc_1', name: 'devis.pdf' }]);
    });
  });

  test('a failing action is retried with backoff, then recorded as failed without holding the status back', async () => {
    const gatewayDown = () => ApplicationFailure.create({ type: 'SageGatewayUnavailable', message: 'HTTP 500' });
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR }, actionRetry: { initialSeconds: 1, maximumAttempts: 3 } },
      async ({ fake, handle }) => {
        fake.transaction.state = 'completed';
        const result: TransactionState = await handle.result();
        assert.equal(result.status, 'SIGNE', 'the status was recorded whatever the action did');
        assert.equal(fake.recorded.at(-1)?.status, 'SIGNE');
        const attempts = fake.actionCalls.filter((call) => call.name === 'convertQuoteToOrder');
        assert.equal(attempts.length, 3, 'three attempts, then it gave up');
        assert.deepEqual(
          fake.actionFailures.map((f) => [f.kind, f.status, f.error.type]),
          [['CONVERT_QUOTE_TO_ORDER', 'SIGNE', 'SageGatewayUnavailable']],
        );
        const failed = result.actions.find((action) => action.kind === 'CONVERT_QUOTE_TO_ORDER');
        assert.equal(failed?.state, 'failed');
        assert.match(failed?.summary ?? '', /SageGatewayUnavailable/);
        assert.ok(result.actions.filter((action) => action !== failed).every((action) => action.state === 'done'));
      },
      (fake) => {
        fake.transaction.state = 'completed';
        fake.failNextActions.convertQuoteToOrder = [gatewayDown(), gatewayDown(), gatewayDown()];
      },
    );
  });

  test('a permanent action error is not retried', async () => {
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR } },
      async ({ fake, handle }) => {
        const result: TransactionState = await handle.result();
        assert.equal(result.status, 'EXPIRE');
        assert.equal(fake.actionCalls.filter((call) => call.name === 'notifyByEmail').length, 1);
        assert.equal(result.actions.find((action) => action.kind === 'NOTIFY_BY_EMAIL')?.state, 'failed');
      },
      (fake) => {
        fake.transaction.state = 'expired';
        fake.failNextActions.notifyByEmail = [
          ApplicationFailure.create({ type: 'MailerRejected', message: '550 mailbox unavailable', nonRetryable: true }),
        ];
      },
    );
  });

  test('continue-as-new waits for running actions but never for an update, which is served', async () => {
    const held = gate();
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: 60 }, maxHistoryEvents: 10 },
      async ({ fake, handle }) => {
        await waitFor(() => fake.actionCalls.length === 1, 'the EN_COURS action, held');
        const firstRun = (await handle.describe()).runId;
        const update = await handle.executeUpdate(resyncUpdate, { args: [{}] });
        assert.equal(update.status, 'EN_COURS', 'the update is answered while the action runs');
        assert.equal((await handle.describe()).runId, firstRun, 'no continue-as-new while an action runs');
        held.open();
        fake.actionGate = null;
        await sleep(10 * 60_000);
        assert.notEqual((await handle.describe()).runId, firstRun, 'continued as new once the action finished');
        const state = await handle.query(stateQuery);
        assert.deepEqual(
          state.actions.map((action) => action.state),
          ['done'],
        );
        await handle.terminate('test done');
      },
      (fake) => {
        fake.actionGate = held.promise;
      },
    );
  });

  test('Sage field updates apply in status order: a retrying EN_COURS update finishes before SIGNE’s', async () => {
    const gatewayDown = () => ApplicationFailure.create({ type: 'SageGatewayUnavailable', message: 'HTTP 503' });
    await withWorkflow(
      // Retries 5, 10 and 20 minutes apart: the 15-minute poll sees SIGNE while EN_COURS's update still retries.
      { poll: { minSeconds: 60, maxSeconds: HOUR }, actionRetry: { initialSeconds: 300, maximumIntervalSeconds: 1200 } },
      async ({ fake, handle }) => {
        await waitFor(() => fake.actionCalls.length === 1, 'the first EN_COURS attempt');
        fake.transaction.state = 'completed';
        const result: TransactionState = await handle.result();
        assert.equal(result.status, 'SIGNE');
        const sageCalls = fake.actionCalls.filter((call) => call.name === 'updateSageFields').map((call) => call.input.status);
        assert.deepEqual(sageCalls, ['EN_COURS', 'EN_COURS', 'EN_COURS', 'EN_COURS', 'SIGNE']);
      },
      (fake) => {
        fake.failNextActions.updateSageFields = [gatewayDown(), gatewayDown(), gatewayDown()];
      },
    );
  });

  test('a Sage field update that fails for good, even to record its failure, neither blocks nor fails the one queued after it', async () => {
    const held = gate();
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR } },
      async ({ fake, handle }) => {
        await waitFor(() => fake.actionCalls.length === 1, 'the EN_COURS Sage update, held');
        fake.transaction.state = 'completed';
        await handle.signal(universignEventSignal, {
          eventId: 'evt_signed',
          type: 'transaction.lifecycle.completed',
          receivedAt: '2026-01-01T00:00:00Z',
        });
        // SIGNE's other actions start; its Sage update waits for EN_COURS's to settle.
        await waitFor(() => fake.actionCalls.length === 4, 'the other SIGNE actions');
        assert.deepEqual(
          fake.actionCalls.filter((call) => call.name === 'updateSageFields').map((call) => call.input.status),
          ['EN_COURS'],
        );
        fake.actionGate = null;
        held.open();
        const result: TransactionState = await handle.result();
        assert.equal(result.status, 'SIGNE');
        assert.deepEqual(
          fake.actionCalls.filter((call) => call.name === 'updateSageFields').map((call) => call.input.status),
          ['EN_COURS', 'SIGNE'],
          "SIGNE's Sage update ran after EN_COURS's failed",
        );
        assert.deepEqual(
          result.actions.filter((action) => action.kind === 'UPDATE_SAGE_FIELDS').map((action) => [action.status, action.state]),
          [
            ['EN_COURS', 'failed'],
            ['SIGNE', 'done'],
          ],
        );
        assert.match(result.actions[0]?.summary ?? '', /SageGatewayRejected/);
      },
      (fake) => {
        fake.actionGate = held.promise;
        fake.failNextActions.updateSageFields = [
          ApplicationFailure.create({ type: 'SageGatewayRejected', message: 'HTTP 422', nonRetryable: true }),
        ];
        fake.failNextActionFailureRecords = [
          ApplicationFailure.create({ type: 'TransactionNotRecorded', message: 'no row for the transaction', nonRetryable: true }),
        ];
      },
    );
  });
});
