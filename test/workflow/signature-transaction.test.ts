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
import { createQueueWorkers } from '../../worker/create-sync-worker';
import {
  forceResyncSignal,
  resyncUpdate,
  SIGNATURE_WORKFLOW_TYPE,
  type SignatureTransactionInput,
  signatureWorkflowId,
  stateQuery,
  type TransactionState,
  universignEventSignal,
} from '../../workflows/messages';
import { universignTaskQueue } from '../../workflows/task-queues';
import { MAX_NOT_FOUND_STREAK } from '../../workflows/transaction-sync';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal-env';
import {
  createFakeSyncActivities,
  type FakeSyncActivities,
  gapsInSeconds,
  gate,
  notFound,
  signer,
  unavailable,
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
  body: (ctx: {
    fake: FakeSyncActivities;
    taskQueue: string;
    handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  }) => Promise<void>,
  prepare?: (fake: FakeSyncActivities) => void,
): Promise<void> {
  counter += 1;
  const transactionId = `tx_wf${counter}_${Date.now()}`;
  const taskQueue = `wf-test-${counter}`;
  const fake = createFakeSyncActivities(env, transactionId);
  prepare?.(fake);
  const worker = await createQueueWorkers({
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
    await body({ fake, taskQueue, handle: env.client.workflow.getHandle(signatureWorkflowId(transactionId)) });
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
  test('without webhooks, polls every 15 minutes; a poll that finds nothing new is recorded as quiet', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await env.sleep(DAY * 1000);
      const gaps = gapsInSeconds(fake.fetchTimes);
      assert.ok(gaps.length >= 90, `about 96 polls in a day, got ${gaps.length}`);
      assert.ok(
        gaps.every((gap) => gap === 900),
        `gaps: ${[...new Set(gaps)].join(',')}`,
      );
      assert.equal(fake.recorded.length, 1, 'only the first sync (which set the status) is recorded in full');
      assert.equal(fake.quiet.length, fake.fetchTimes.length - 1, 'every later poll is one quiet write');
      assert.equal((await handle.query(stateQuery)).webhooksArriving, false);

      // A change a poll finds is recorded in full; the cadence stays at 15 minutes.
      const pollsBeforeChange = fake.fetchTimes.length;
      fake.transaction.signers = [signer('client@example.com', 'completed')];
      await env.sleep(2 * HOUR * 1000);
      assert.deepEqual(gapsInSeconds(fake.fetchTimes.slice(pollsBeforeChange - 1)).slice(0, 3), [900, 900, 900]);
      assert.equal(fake.recorded.length, 2, 'the signer change is recorded in full');
      assert.equal(fake.recorded[1]?.statusChanged, false);
      assert.equal(fake.recorded[1]?.snapshot.signers[0]?.state, 'completed');

      fake.transaction.state = 'completed';
      const result: TransactionState = await handle.result();
      assert.equal(result.status, 'SIGNE');
      assert.equal(result.final, true);
    });
  });

  test('while webhooks arrive, polls back off to the cap and restart from the minimum after a change they told of', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await handle.signal(universignEventSignal, {
        eventId: 'evt_1',
        type: 'transaction.lifecycle.started',
        receivedAt: '2026-01-01T00:00:00Z',
      });
      await waitFor(() => fake.syncs.length === 2, 'the webhook sync');
      assert.equal((await handle.query(stateQuery)).webhooksArriving, true);
      await env.sleep(DAY * 1000);
      const quietGaps = gapsInSeconds(fake.fetchTimes.slice(1));
      // From the 15-minute interval the webhook sync doubles up to the hour cap: about one read an hour.
      assert.deepEqual(quietGaps.slice(0, 3), [1800, 3600, 3600]);
      assert.ok(
        quietGaps.slice(1).every((gap) => gap === 3600),
        `gaps: ${[...new Set(quietGaps)].join(',')}`,
      );

      const pollsBeforeChange = fake.fetchTimes.length;
      fake.transaction.signers = [signer('client@example.com', 'completed')];
      await handle.signal(universignEventSignal, { eventId: 'evt_2', type: 'participant.signed', receivedAt: '2026-01-01T00:00:01Z' });
      await waitFor(() => fake.recorded.length === 2, 'the change the webhook told of');
      await env.sleep(HOUR * 1000);
      assert.deepEqual(gapsInSeconds(fake.fetchTimes.slice(pollsBeforeChange)).slice(0, 4), [60, 120, 240, 480]);
      assert.equal((await handle.query(stateQuery)).webhooksArriving, true);
      await handle.terminate('test done');
    });
  });

  test('a change a poll finds before its webhook switches to the 15-minute cadence until a webhook comes again', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await handle.signal(universignEventSignal, {
        eventId: 'evt_1',
        type: 'transaction.lifecycle.started',
        receivedAt: '2026-01-01T00:00:00Z',
      });
      await waitFor(() => fake.syncs.length === 2, 'the webhook sync');
      await env.sleep(3 * HOUR * 1000);
      assert.equal((await handle.query(stateQuery)).webhooksArriving, true);

      // The signer's webhook is lost: the poll finds the change first.
      fake.transaction.signers = [signer('client@example.com', 'completed')];
      const pollsBeforeChange = fake.fetchTimes.length;
      await env.sleep(2 * HOUR * 1000);
      assert.equal(fake.recorded.length, 2, 'the poll found the change');
      assert.equal(fake.recorded[1]?.source, 'poll');
      const state = await handle.query(stateQuery);
      assert.equal(state.webhooksArriving, false);
      assert.equal(state.pollIntervalSeconds, 900);
      const afterMiss = gapsInSeconds(fake.fetchTimes.slice(pollsBeforeChange));
      assert.ok(afterMiss.length >= 4 && afterMiss.every((gap) => gap === 900), `gaps after the miss: ${afterMiss.join(',')}`);

      // The next webhook shows they arrive again.
      await handle.signal(universignEventSignal, { eventId: 'evt_3', type: 'x', receivedAt: '2026-01-01T00:00:02Z' });
      await waitFor(() => fake.syncs.at(-1)?.source === 'webhook', 'the webhook sync');
      assert.equal((await handle.query(stateQuery)).webhooksArriving, true);
      await handle.terminate('test done');
    });
  });

  test('Universign calls run on their own rate-limited queue; sync records are local activities; other actions stay on the main queue', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle, taskQueue }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await env.sleep(HOUR * 1000);
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

  test('a universignEvent signal cuts the timer short, and a repeated event id is ignored', async () => {
    await withWorkflow({ poll: { minSeconds: HOUR, maxSeconds: DAY } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const event = { eventId: 'evt_1', type: 'transaction.lifecycle.started', receivedAt: new Date().toISOString() };
      await handle.signal(universignEventSignal, event);
      await waitFor(() => fake.syncs.length === 2, 'the sync triggered by the signal');
      assert.equal(fake.syncs[1]?.source, 'webhook');
      assert.equal(fake.syncs[1]?.webhookReceived, true);
      assert.ok((fake.fetchTimes[1] as number) - (fake.fetchTimes[0] as number) < HOUR * 1000);

      await handle.signal(universignEventSignal, event);
      await handle.signal(forceResyncSignal, { reason: 'operator' });
      await waitFor(() => fake.syncs.length === 3, 'the forced sync');
      assert.equal(fake.syncs[2]?.source, 'forced');
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
    const poll = { minSeconds: 60, maxSeconds: 600, withoutWebhooksSeconds: 60 };
    await withWorkflow({ poll, maxHistoryEvents: 40 }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const firstRun = (await handle.describe()).runId;
      await handle.signal(universignEventSignal, { eventId: 'evt_a', type: 'x', receivedAt: '2026-01-01T00:00:00Z' });
      await waitFor(() => fake.syncs.length === 2, 'the signalled sync');
      await env.sleep(6 * HOUR * 1000);
      const laterRun = (await handle.describe()).runId;
      assert.notEqual(laterRun, firstRun, 'the workflow continued as new');

      // The signalled sync saw no change, so the cadence backs off from there; continue-as-new does
      // not reset it: once at the cap it stays there, run after run.
      const gaps = gapsInSeconds(fake.fetchTimes.slice(1));
      assert.deepEqual(gaps.slice(0, 4), [120, 240, 480, 600]);
      assert.ok(
        gaps.slice(4).every((gap) => gap === 600),
        `gaps after the back-off: ${gaps.slice(4).join(',')}`,
      );

      const state = await handle.query(stateQuery);
      assert.equal(state.syncCount, fake.syncs.length, 'sync count carried across runs');
      assert.equal(state.webhookReceived, true);
      assert.equal(state.webhooksArriving, true, 'webhook trust carried across runs');
      const keys = new Set(fake.syncs.map((r) => r.syncKey));
      assert.equal(keys.size, fake.syncs.length, 'sync keys stay unique across runs');
      assert.equal(fake.recorded.length, 1, 'quiet syncs stay quiet across runs (the last recorded projection is carried)');

      const syncsBefore = fake.syncs.length;
      await handle.signal(universignEventSignal, { eventId: 'evt_a', type: 'x', receivedAt: '2026-01-01T00:00:00Z' });
      await handle.signal(universignEventSignal, { eventId: 'evt_b', type: 'x', receivedAt: '2026-01-01T00:00:01Z' });
      await waitFor(() => fake.syncs.length === syncsBefore + 1, 'the sync for the new event');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(fake.syncs.length, syncsBefore + 1, 'the event seen in an earlier run did not sync again');
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

        // The next poll comes 15 minutes (no webhooks) after the failed read began; its first attempt fails, its retry succeeds.
        await env.sleep(15 * 60_000);
        assert.equal(fake.recorded.length, 1, 'the next poll succeeded');
        const [readAt, recoveredAt] = [fake.fetchTimes[0] as number, fake.fetchTimes[7] as number];
        assert.equal(Math.round((recoveredAt - readAt) / 1000), 902);
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

  test('a resync update arriving during the sync that reaches a final status is answered', async () => {
    await withWorkflow({ poll: { minSeconds: HOUR, maxSeconds: DAY } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      const held = gate();
      fake.fetchGate = held.promise;
      await handle.signal(universignEventSignal, {
        eventId: 'evt_final',
        type: 'transaction.lifecycle.completed',
        receivedAt: '2026-01-01T00:00:00Z',
      });
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
        await env.sleep(10 * 60_000);
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
      { poll: { minSeconds: 60, maxSeconds: HOUR }, actionRetry: { initialSeconds: 300 } },
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
