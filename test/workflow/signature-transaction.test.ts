/**
 * The signatureTransaction workflow on the time-skipping test server, with its activities
 * replaced by an in-memory Universign: cadence over days, signals, update, completion,
 * continue-as-new and failure handling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  forceResyncSignal,
  resyncUpdate,
  SIGNATURE_WORKFLOW_TYPE,
  signatureWorkflowId,
  stateQuery,
  universignEventSignal,
  type SignatureTransactionInput,
  type TransactionState,
} from '../../workflows/messages';
import { MAX_NOT_FOUND_STREAK } from '../../workflows/signature-transaction';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal-env';
import {
  createFakeSyncActivities,
  gapsInSeconds,
  gate,
  notFound,
  signer,
  unavailable,
  type FakeSyncActivities,
} from './fake-sync-activities';

const HOUR = 3600;
const DAY = 24 * HOUR;
let env: TestWorkflowEnvironment;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

/** Runs `body` with a worker serving a fresh task queue and a fake Universign for one transaction. */
async function withWorkflow(
  input: Omit<SignatureTransactionInput, 'transactionId'>,
  body: (ctx: { fake: FakeSyncActivities; handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']> }) => Promise<void>,
  prepare?: (fake: FakeSyncActivities) => void,
): Promise<void> {
  counter += 1;
  const transactionId = `tx_wf${counter}_${Date.now()}`;
  const taskQueue = `wf-test-${counter}`;
  const fake = createFakeSyncActivities(env, transactionId);
  prepare?.(fake);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: fake.activities,
  });
  await worker.runUntil(async () => {
    await env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: signatureWorkflowId(transactionId),
      // The time-skipping server knows no custom search attributes (the dev-server tests cover them).
      args: [{ transactionId, publishSearchAttributes: false, ...input }],
    });
    await body({ fake, handle: env.client.workflow.getHandle(signatureWorkflowId(transactionId)) });
  });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('signatureTransaction workflow (time-skipping server)', () => {
  test('polls at start, backs off to the cap over days, and resets to the minimum after a change', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await env.sleep(2 * DAY * 1000);
      const beforeChange = gapsInSeconds(fake.fetchTimes);
      // 60, 120, …, 1920 then capped at 3600 for the rest of the two days.
      assert.deepEqual(beforeChange.slice(0, 7), [60, 120, 240, 480, 960, 1920, 3600]);
      assert.ok(beforeChange.length > 40, `expected dozens of polls over two days, got ${beforeChange.length}`);
      assert.ok(beforeChange.slice(6).every((gap) => gap === 3600), 'interval stays at the cap');

      const pollsBeforeChange = fake.fetchTimes.length;
      fake.transaction.signers = [signer('client@example.com', 'completed')];
      await env.sleep(DAY * 1000);
      const afterChange = gapsInSeconds(fake.fetchTimes.slice(pollsBeforeChange - 1));
      // The poll that sees the change comes at the cap; the next ones restart from the minimum.
      assert.deepEqual(afterChange.slice(0, 4), [3600, 60, 120, 240]);
      assert.ok(fake.recorded.every((r) => r.status === 'EN_COURS'));
      assert.deepEqual(fake.recorded.filter((r) => r.statusChanged).length, 1, 'only the first sync changed the status');

      fake.transaction.state = 'completed';
      const result: TransactionState = await handle.result();
      assert.equal(result.status, 'SIGNE');
      assert.equal(result.final, true);
    });
  });

  test('a universignEvent signal cuts the timer short, and a repeated event id is ignored', async () => {
    await withWorkflow({ poll: { minSeconds: HOUR, maxSeconds: DAY } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const event = { eventId: 'evt_1', type: 'transaction.lifecycle.started', receivedAt: new Date().toISOString() };
      await handle.signal(universignEventSignal, event);
      await waitFor(() => fake.recorded.length === 2, 'the sync triggered by the signal');
      assert.equal(fake.recorded[1]?.source, 'webhook');
      assert.equal(fake.recorded[1]?.webhookReceived, true);
      assert.ok((fake.fetchTimes[1] as number) - (fake.fetchTimes[0] as number) < HOUR * 1000);

      await handle.signal(universignEventSignal, event);
      await handle.signal(forceResyncSignal, { reason: 'operator' });
      await waitFor(() => fake.recorded.length === 3, 'the forced sync');
      assert.equal(fake.recorded[2]?.source, 'forced');
      const state = await handle.query(stateQuery);
      assert.equal(state.syncCount, 3, 'the duplicate event caused no sync of its own');
      assert.equal(state.webhookReceived, true);
      await handle.terminate('test done');
    });
  });

  test('the resync update syncs at once and returns the resulting state', async () => {
    await withWorkflow({ poll: { minSeconds: HOUR, maxSeconds: DAY } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      assert.equal((await handle.query(stateQuery)).status, 'EN_COURS');
      fake.transaction.state = 'completed';
      const state = await handle.executeUpdate(resyncUpdate, { args: [{ reason: 'test' }] });
      assert.equal(state.status, 'SIGNE');
      assert.equal(state.universignState, 'completed');
      assert.equal(fake.recorded.at(-1)?.source, 'update');
      assert.equal(fake.recorded.at(-1)?.statusChanged, true);
      const result: TransactionState = await handle.result();
      assert.equal(result.status, 'SIGNE');
    });
  });

  const finals: Array<[string, Partial<FakeSyncActivities['transaction']>, string]> = [
    ['completed', { state: 'completed' }, 'SIGNE'],
    ['started and stalled by a signature refusal', { state: 'started', stalled: true, stalledReason: 'signature_refusal' }, 'REFUSE'],
    ['expired', { state: 'expired' }, 'EXPIRE'],
    ['cancelled', { state: 'cancelled' }, 'ANNULE'],
  ];
  for (const [universign, change, expected] of finals) {
    test(`completes with ${expected} when Universign reports ${universign}`, async () => {
      await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
        await waitFor(() => fake.recorded.length === 1, 'the first sync');
        Object.assign(fake.transaction, change);
        const result: TransactionState = await handle.result();
        assert.equal(result.status, expected);
        assert.equal(result.final, true);
        const last = fake.recorded.at(-1);
        assert.equal(last?.previousStatus, 'EN_COURS');
        assert.equal(last?.status, expected);
        assert.equal(last?.statusChanged, true);
        const description = await handle.describe();
        assert.equal(description.status.name, 'COMPLETED');
      });
    });
  }

  test('a status never moves backwards: a draft seen after started is a recorded conflict', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      fake.transaction.state = 'draft';
      const state = await handle.executeUpdate(resyncUpdate, { args: [{}] });
      assert.equal(state.status, 'EN_COURS');
      assert.equal(fake.recorded.at(-1)?.statusChanged, false);
      assert.match(fake.recorded.at(-1)?.conflict ?? '', /backward/);
      await handle.terminate('test done');
    });
  });

  test('continue-as-new carries the state, the seen event ids and the next poll time', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: 600 }, maxHistoryEvents: 40 }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const firstRun = (await handle.describe()).runId;
      await handle.signal(universignEventSignal, { eventId: 'evt_a', type: 'x', receivedAt: '2026-01-01T00:00:00Z' });
      await waitFor(() => fake.recorded.length === 2, 'the signalled sync');
      await env.sleep(6 * HOUR * 1000);
      const laterRun = (await handle.describe()).runId;
      assert.notEqual(laterRun, firstRun, 'the workflow continued as new');

      // The signalled sync saw no change, so the cadence backs off from there; continue-as-new does
      // not reset it: once at the cap it stays there, run after run.
      const gaps = gapsInSeconds(fake.fetchTimes.slice(1));
      assert.deepEqual(gaps.slice(0, 4), [120, 240, 480, 600]);
      assert.ok(gaps.slice(4).every((gap) => gap === 600), `gaps after the back-off: ${gaps.slice(4).join(',')}`);

      const state = await handle.query(stateQuery);
      assert.equal(state.syncCount, fake.recorded.length, 'sync count carried across runs');
      assert.equal(state.webhookReceived, true);
      const keys = new Set(fake.recorded.map((r) => r.syncKey));
      assert.equal(keys.size, fake.recorded.length, 'sync keys stay unique across runs');

      const syncsBefore = fake.recorded.length;
      await handle.signal(universignEventSignal, { eventId: 'evt_a', type: 'x', receivedAt: '2026-01-01T00:00:00Z' });
      await handle.signal(universignEventSignal, { eventId: 'evt_b', type: 'x', receivedAt: '2026-01-01T00:00:01Z' });
      await waitFor(() => fake.recorded.length === syncsBefore + 1, 'the sync for the new event');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(fake.recorded.length, syncsBefore + 1, 'the event seen in an earlier run did not sync again');
      await handle.terminate('test done');
    });
  });

  test('Universign fetch retries back off, and an exhausted retry is recorded without ending the workflow', async () => {
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR } },
      async ({ fake, handle }) => {
        await env.sleep(70_000);
        assert.equal(fake.failures.length, 1);
        // Six attempts: 2 s, 4 s, 8 s, 16 s, 32 s apart.
        assert.deepEqual(gapsInSeconds(fake.fetchTimes.slice(0, 6)), [2, 4, 8, 16, 32]);
        assert.equal(fake.failures[0]?.error.type, 'UniversignUnavailable');
        assert.equal(fake.failures[0]?.terminal, false);
        const failed = await handle.query(stateQuery);
        assert.equal(failed.status, null);
        assert.equal(failed.lastSyncError?.type, 'UniversignUnavailable');

        // The failure backs the cadence off (60 s → 120 s); that poll's first attempt fails, its retry succeeds.
        await env.sleep(2 * 60_000);
        assert.equal(fake.recorded.length, 1, 'the next poll succeeded');
        const [failedAt, recoveredAt] = [fake.fetchTimes[5] as number, fake.fetchTimes[7] as number];
        assert.equal(Math.round((recoveredAt - failedAt) / 1000), 122);
        const recovered = await handle.query(stateQuery);
        assert.equal(recovered.status, 'EN_COURS');
        assert.equal(recovered.lastSyncError, null);
        await handle.terminate('test done');
      },
      (fake) => fake.failNextFetches.push(...Array.from({ length: 7 }, unavailable)),
    );
  });

  // Short real intervals here: the test server stops skipping time after a non-retryable activity failure.
  test(`a transaction Universign does not know ends the workflow after ${MAX_NOT_FOUND_STREAK} tries, recorded`, async () => {
    await withWorkflow(
      { poll: { minSeconds: 1, maxSeconds: 10 } },
      async ({ fake, handle }) => {
        await assert.rejects(handle.result(), (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.match(String(err.cause?.message), /not found after 3 attempts/);
          return true;
        });
        assert.equal(fake.failures.length, MAX_NOT_FOUND_STREAK);
        assert.deepEqual(
          fake.failures.map((f) => f.terminal),
          [false, false, true],
        );
        assert.ok(fake.failures.every((f) => f.error.type === 'TransactionNotFound'));
        assert.deepEqual(gapsInSeconds(fake.fetchTimes), [1, 1], 'not-found is re-checked at the short interval');
      },
      (fake) => fake.failNextFetches.push(notFound(), notFound(), notFound()),
    );
  });

  test('each status change runs its business actions once, and completion waits for them', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await env.sleep(3 * HOUR * 1000);
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
      assert.ok(result.actions.every((action) => action.state === 'done'), 'the result lists every action done');
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
        assert.deepEqual(fake.actionFailures.map((f) => [f.kind, f.status, f.error.type]), [
          ['CONVERT_QUOTE_TO_ORDER', 'SIGNE', 'SageGatewayUnavailable'],
        ]);
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

  test('a resync update arriving during the sync that reaches a final status is answered', async () => {
    await withWorkflow({ poll: { minSeconds: HOUR, maxSeconds: DAY } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const held = gate();
      fake.fetchGate = held.promise;
      await handle.signal(universignEventSignal, { eventId: 'evt_final', type: 'transaction.lifecycle.completed', receivedAt: '2026-01-01T00:00:00Z' });
      await waitFor(() => fake.fetchTimes.length === 2, 'the webhook sync in flight');
      const update = handle.executeUpdate(resyncUpdate, { args: [{ reason: 'operator' }] });
      await new Promise((resolve) => setTimeout(resolve, 200));
      fake.transaction.state = 'completed';
      fake.fetchGate = null;
      held.open();
      const [answered, result] = await Promise.all([update, handle.result() as Promise<TransactionState>]);
      assert.equal(answered.status, 'SIGNE');
      assert.equal(answered.final, true);
      assert.equal(result.status, 'SIGNE');
      assert.equal(fake.fetchTimes.length, 2, 'no sync after the final one');
    });
  });

  test('continue-as-new waits for running actions but never for an update, which is served', async () => {
    const held = gate();
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: 60 }, maxHistoryEvents: 10 }, async ({ fake, handle }) => {
      await waitFor(() => fake.actionCalls.length === 1, 'the EN_COURS action, held');
      const firstRun = (await handle.describe()).runId;
      const update = await handle.executeUpdate(resyncUpdate, { args: [{}] });
      assert.equal(update.status, 'EN_COURS', 'the update is answered while the action runs');
      assert.equal((await handle.describe()).runId, firstRun, 'no continue-as-new while an action runs');
      held.open();
      fake.actionGate = null;
      await env.sleep(10 * 60_000);
      assert.notEqual((await handle.describe()).runId, firstRun, 'continued as new once the action finished');
      const state = await handle.query(stateQuery);
      assert.deepEqual(state.actions.map((action) => action.state), ['done']);
      await handle.terminate('test done');
    }, (fake) => {
      fake.actionGate = held.promise;
    });
  });

  test('Sage field updates apply in status order: a retrying EN_COURS update finishes before SIGNE’s', async () => {
    const gatewayDown = () => ApplicationFailure.create({ type: 'SageGatewayUnavailable', message: 'HTTP 503' });
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR }, actionRetry: { initialSeconds: 60 } },
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
});
