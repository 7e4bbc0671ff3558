// The signatureTransaction workflow's messages and lifecycle: signals, the resync update, final statuses, backward conflicts and continue-as-new, on the time-skipping server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { forceResyncSignal, resyncUpdate, stateQuery, type TransactionState, universignEventSignal } from '../../workflows/messages';
import { type FakeSyncActivities, gapsInSeconds, gate } from './fake-sync-activities';
import { DAY, HOUR, useSignatureWorkflowEnv, waitFor } from './signature-transaction-harness';

const { withWorkflow, sleep } = useSignatureWorkflowEnv();

describe('signatureTransaction workflow (time-skipping server)', () => {
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
      await sleep(6 * HOUR * 1000);
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
});
