// The signatureTransaction workflow's polling cadence (with and without webhooks) and Universign read failures, on the time-skipping server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { stateQuery, type TransactionState, universignEventSignal } from '../../workflows/messages';
import { MAX_NOT_FOUND_STREAK } from '../../workflows/transaction-sync';
import { gapsInSeconds, notFound, signer, unavailable } from './fake-sync-activities';
import { DAY, HOUR, useSignatureWorkflowEnv, waitFor } from './signature-transaction-harness';

const { withWorkflow, sleep } = useSignatureWorkflowEnv();

describe('signatureTransaction workflow (time-skipping server)', () => {
  test('without webhooks, polls every 15 minutes; a poll that finds nothing new is recorded as quiet', async () => {
    await withWorkflow({ poll: { minSeconds: 60, maxSeconds: HOUR } }, async ({ fake, handle }) => {
      await waitFor(() => fake.recorded.length === 1, 'the first sync');
      await sleep(DAY * 1000);
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
      await sleep(2 * HOUR * 1000);
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
      await sleep(DAY * 1000);
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
      await sleep(HOUR * 1000);
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
      await sleep(3 * HOUR * 1000);
      assert.equal((await handle.query(stateQuery)).webhooksArriving, true);

      // The signer's webhook is lost: the poll finds the change first.
      fake.transaction.signers = [signer('client@example.com', 'completed')];
      const pollsBeforeChange = fake.fetchTimes.length;
      await sleep(2 * HOUR * 1000);
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

  test('Universign fetch retries back off, and an exhausted retry is recorded without ending the workflow', async () => {
    await withWorkflow(
      { poll: { minSeconds: 60, maxSeconds: HOUR } },
      async ({ fake, handle }) => {
        await sleep(70_000);
        assert.equal(fake.failures.length, 1);
        // Six attempts: 2 s, 4 s, 8 s, 16 s, 32 s apart.
        assert.deepEqual(gapsInSeconds(fake.fetchTimes.slice(0, 6)), [2, 4, 8, 16, 32]);
        assert.equal(fake.failures[0]?.error.type, 'UniversignUnavailable');
        assert.equal(fake.failures[0]?.terminal, false);
        const failed = await handle.query(stateQuery);
        assert.equal(failed.status, null);
        assert.equal(failed.lastSyncError?.type, 'UniversignUnavailable');

        // The next poll comes 15 minutes (no webhooks) after the failed read began; its first attempt fails, its retry succeeds.
        await sleep(15 * 60_000);
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
});
