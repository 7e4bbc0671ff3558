import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeTransaction } from '../../activities/normalize-transaction';
import { UniversignBadResponseError } from '../../activities/universign-errors';

const FETCHED_AT = '2025-03-01T10:00:00.000Z';

/** The shape documented in universign-api.md, "Reading a transaction". */
function documentedExample(): Record<string, unknown> {
  return {
    object: 'transaction',
    id: 'tx_8Kd2',
    name: 'Devis D000123',
    state: 'started',
    stalled: false,
    stalled_reason: null,
    created_at: '2025-02-28T09:00:00Z',
    started_at: '2025-02-28T09:05:00Z',
    expires_at: '2025-03-14T09:05:00Z',
    metadata: { sageType: 'devis', sageNumber: 'D000123', count: 3 },
    documents: [{ id: 'doc_1', name: 'devis.pdf' }],
    participants: [
      { email: 'alice@example.com', state: 'open', full_name: 'Alice Martin' },
      { email: 'bob@example.com', state: 'completed', signed_at: '2025-02-28T10:00:00Z' },
    ],
    actions: [
      {
        id: 'act_a',
        actor: 'alice@example.com',
        state: 'open',
        started_at: '2025-02-28T09:05:00Z',
        url: 'https://app.universign.com/sig/act_a',
        tasks: [{ type: 'signature', state: 'todo', field: 'fld_a' }],
      },
      {
        id: 'act_b',
        actor: 'bob@example.com',
        state: 'completed',
        started_at: '2025-02-28T09:05:00Z',
        url: 'https://app.universign.com/sig/act_b',
        tasks: [{ type: 'signature', state: 'done', field: 'fld_b' }],
      },
    ],
    progress_value: 50,
  };
}

describe('normalizeTransaction', () => {
  test('maps the documented example shape', () => {
    const snapshot = normalizeTransaction(documentedExample(), FETCHED_AT);
    assert.deepEqual(snapshot, {
      transactionId: 'tx_8Kd2',
      name: 'Devis D000123',
      state: 'started',
      stalled: false,
      stalledReason: null,
      createdAt: '2025-02-28T09:00:00Z',
      startedAt: '2025-02-28T09:05:00Z',
      expiresAt: '2025-03-14T09:05:00Z',
      completedAt: null,
      cancelledAt: null,
      metadata: { sageType: 'devis', sageNumber: 'D000123' },
      documents: [{ id: 'doc_1', name: 'devis.pdf' }],
      signers: [
        {
          email: 'alice@example.com',
          name: 'Alice Martin',
          state: 'open',
          url: 'https://app.universign.com/sig/act_a',
          signedAt: null,
          refusedAt: null,
        },
        {
          email: 'bob@example.com',
          name: null,
          state: 'completed',
          url: 'https://app.universign.com/sig/act_b',
          signedAt: '2025-02-28T10:00:00Z',
          refusedAt: null,
        },
      ],
      fetchedAt: FETCHED_AT,
    });
  });

  test('takes completed_at and cancelled_at when present', () => {
    const raw = { ...documentedExample(), state: 'completed', completed_at: '2025-03-01T08:00:00Z' };
    assert.equal(normalizeTransaction(raw, FETCHED_AT).completedAt, '2025-03-01T08:00:00Z');
    const cancelled = { ...documentedExample(), state: 'cancelled', cancelled_at: '2025-03-01T09:00:00Z' };
    assert.equal(normalizeTransaction(cancelled, FETCHED_AT).cancelledAt, '2025-03-01T09:00:00Z');
  });

  test('builds signers from actions alone, in order of first appearance, merging case-insensitively', () => {
    const raw = {
      id: 'tx_1',
      state: 'started',
      actions: [
        { id: 'act_2', actor: 'zoe@example.com', state: 'open', url: 'https://sig/act_2', tasks: [] },
        { id: 'act_1', actor: 'adam@example.com', state: 'completed', url: 'https://sig/act_1', completed_at: '2025-02-28T11:00:00Z' },
        { id: 'act_3', actor: 'ZOE@example.com', state: 'open', url: 'https://sig/act_3', tasks: [{ type: 'signature', state: 'todo' }] },
        { id: 'act_4', participant_email: 'eve@example.com', state: 'refused', completed_at: '2025-02-28T12:00:00Z' },
        { id: 'act_5', state: 'open' },
      ],
    };
    const { signers } = normalizeTransaction(raw, FETCHED_AT);
    assert.deepEqual(
      signers.map(({ email, state, url, signedAt, refusedAt }) => ({ email, state, url, signedAt, refusedAt })),
      [
        // The action with the signature task gives the link.
        { email: 'zoe@example.com', state: 'open', url: 'https://sig/act_3', signedAt: null, refusedAt: null },
        { email: 'adam@example.com', state: 'completed', url: 'https://sig/act_1', signedAt: '2025-02-28T11:00:00Z', refusedAt: null },
        { email: 'eve@example.com', state: 'refused', url: null, signedAt: null, refusedAt: '2025-02-28T12:00:00Z' },
      ],
    );
  });

  test('prefers the participant state and takes the action state otherwise', () => {
    const raw = {
      id: 'tx_1',
      state: 'started',
      participants: [{ email: 'a@example.com', state: 'completed' }, { email: 'b@example.com' }],
      actions: [
        { actor: 'a@example.com', state: 'open' },
        { actor: 'b@example.com', state: 'open', name: 'Bea' },
      ],
    };
    const { signers } = normalizeTransaction(raw, FETCHED_AT);
    assert.deepEqual(
      signers.map((signer) => [signer.email, signer.state, signer.name]),
      [
        ['a@example.com', 'completed', null],
        ['b@example.com', 'open', 'Bea'],
      ],
    );
  });

  test('missing optional fields become null or empty', () => {
    const snapshot = normalizeTransaction({ id: 'tx_min', state: 'draft' }, FETCHED_AT);
    assert.deepEqual(snapshot, {
      transactionId: 'tx_min',
      name: null,
      state: 'draft',
      stalled: false,
      stalledReason: null,
      createdAt: null,
      startedAt: null,
      expiresAt: null,
      completedAt: null,
      cancelledAt: null,
      metadata: {},
      documents: [],
      signers: [],
      fetchedAt: FETCHED_AT,
    });
  });

  test('ignores unknown extra fields and malformed parts', () => {
    const raw = {
      ...documentedExample(),
      state: 'archived_in_future',
      brand_new_field: { nested: true },
      metadata: ['not', 'a', 'map'],
      documents: [{ id: 'doc_1' }, 'junk', { name: 'no id' }, null],
      participants: 'not a list',
      actions: [{ actor: 'x@example.com', state: 'open', surprise: 42, url: 17 }],
      stalled: 'yes',
    };
    const snapshot = normalizeTransaction(raw, FETCHED_AT);
    assert.equal(snapshot.state, 'archived_in_future');
    assert.equal(snapshot.stalled, false);
    assert.deepEqual(snapshot.metadata, {});
    assert.deepEqual(snapshot.documents, [{ id: 'doc_1', name: null }]);
    assert.deepEqual(snapshot.signers, [{ email: 'x@example.com', name: null, state: 'open', url: null, signedAt: null, refusedAt: null }]);
  });

  test('a refusal: stalled with its reason, state still started, refusal date on the signer', () => {
    const raw = documentedExample();
    raw.stalled = true;
    raw.stalled_reason = 'signature_refusal';
    raw.participants = [{ email: 'alice@example.com', state: 'refused', refused_at: '2025-02-28T12:30:00Z' }];
    const snapshot = normalizeTransaction(raw, FETCHED_AT);
    assert.equal(snapshot.state, 'started');
    assert.equal(snapshot.stalled, true);
    assert.equal(snapshot.stalledReason, 'signature_refusal');
    assert.deepEqual(snapshot.signers[0], {
      email: 'alice@example.com',
      name: null,
      state: 'refused',
      url: 'https://app.universign.com/sig/act_a',
      signedAt: null,
      refusedAt: '2025-02-28T12:30:00Z',
    });
  });

  test('invalid input throws UniversignBadResponseError', () => {
    for (const raw of [
      null,
      'tx_1',
      [],
      42,
      {},
      { id: 'tx_1' },
      { state: 'started' },
      { id: '', state: 'started' },
      { id: 'tx_1', state: 7 },
    ]) {
      assert.throws(() => normalizeTransaction(raw, FETCHED_AT), UniversignBadResponseError, JSON.stringify(raw));
    }
  });

  test('the error names the call it came from', () => {
    assert.throws(
      () => normalizeTransaction({ id: 'tx_1' }, FETCHED_AT, { method: 'GET', path: '/transactions/tx_1', status: 200 }),
      /GET \/transactions\/tx_1 → HTTP 200 \(transaction has no state\): \{"id":"tx_1"\}/,
    );
  });
});
