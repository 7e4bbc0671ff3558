import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createFetchUniversignTransaction } from '../../activities/fetch-universign-transaction';
import type { TransactionSnapshot } from '../../activities/transaction-snapshot';
import { createUniversignClient } from '../../activities/universign-client';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { UNIVERSIGN_ERROR_TYPES } from '../../workflows/error-types';

const API_KEY = 'fetch-test-key';
const FETCHED_AT = new Date('2025-03-01T10:00:00.000Z');

describe('fetchUniversignTransaction activity', () => {
  let simulator: UniversignSimulator;
  let fetchUniversignTransaction: (transactionId: string) => Promise<TransactionSnapshot>;

  before(async () => {
    simulator = await startUniversignSimulator({ apiKey: API_KEY });
    fetchUniversignTransaction = createFetchUniversignTransaction({
      universign: createUniversignClient({ baseUrl: simulator.url, apiKey: API_KEY }),
      clock: () => FETCHED_AT,
    });
  });
  after(async () => {
    await simulator.close();
  });

  test('reads and normalises a transaction', async () => {
    const { id } = simulator.createTransaction({ signers: [{ email: 'a@example.com', fullName: 'Ann' }] });
    simulator.refuse(id, 'a@example.com');
    const snapshot = await fetchUniversignTransaction(id);
    assert.equal(snapshot.transactionId, id);
    assert.equal(snapshot.state, 'started');
    assert.equal(snapshot.stalled, true);
    assert.equal(snapshot.stalledReason, 'signature_refusal');
    assert.equal(snapshot.fetchedAt, FETCHED_AT.toISOString());
    const [signer] = snapshot.signers;
    assert.equal(signer?.name, 'Ann');
    assert.equal(signer?.state, 'refused');
    assert.match(signer?.url ?? '', /\/sign\/act_/);
    assert.ok(signer?.refusedAt);
    assert.equal(signer.refusedAt, simulator.getTransaction(id).actions[0]?.completedAt);
  });

  test('errors leave as typed ApplicationFailures', async () => {
    await assert.rejects(fetchUniversignTransaction('tx_unknown'), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, UNIVERSIGN_ERROR_TYPES.notFound);
      assert.equal(err.nonRetryable, true);
      return true;
    });
    const { id } = simulator.createTransaction({ signers: [{ email: 'a@example.com' }] });
    simulator.failNext(id, 502, 1);
    await assert.rejects(fetchUniversignTransaction(id), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, UNIVERSIGN_ERROR_TYPES.retryable);
      assert.equal(err.nonRetryable, false);
      return true;
    });
  });

  test('a body without state, or about another transaction, is a non-retryable bad response', async () => {
    for (const body of [{ id: 'tx_1' }, { id: 'tx_other', state: 'started' }]) {
      const activity = createFetchUniversignTransaction({
        universign: { getTransaction: async () => body },
        clock: () => FETCHED_AT,
      });
      await assert.rejects(activity('tx_1'), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, UNIVERSIGN_ERROR_TYPES.badResponse);
        assert.equal(err.nonRetryable, true);
        return true;
      });
    }
  });
});
