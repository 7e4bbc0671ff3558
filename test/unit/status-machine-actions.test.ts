// What each local status calls for (workflows/status-machine.ts): its Sage label and its business actions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  actionsForStatus,
  BUSINESS_ACTIONS,
  type BusinessAction,
  type LocalStatus,
  SAGE_STATUS_LABELS,
} from '../../workflows/status-machine';
import { FINALS, STATUSES } from './status-machine-fixtures';

describe('SAGE_STATUS_LABELS', () => {
  for (const status of STATUSES) {
    test(`${status} has a non-empty label`, () => {
      const label = SAGE_STATUS_LABELS[status];
      assert.equal(typeof label, 'string');
      assert.ok(label.trim().length > 0);
    });
  }

  test('labels exist for exactly the six statuses', () => {
    assert.deepEqual(Object.keys(SAGE_STATUS_LABELS).sort(), [...STATUSES].sort());
  });

  test('labels are pairwise distinct', () => {
    const labels = STATUSES.map((s) => SAGE_STATUS_LABELS[s]);
    assert.equal(new Set(labels).size, labels.length, `labels: ${labels.join(', ')}`);
  });
});

/** What entering each status calls for, in the order the actions are listed. */
const ACTIONS: Record<LocalStatus, BusinessAction[]> = {
  EN_ATTENTE: [],
  EN_COURS: ['UPDATE_SAGE_FIELDS'],
  SIGNE: ['UPDATE_SAGE_FIELDS', 'ARCHIVE_SIGNED_DOCUMENTS', 'CONVERT_QUOTE_TO_ORDER', 'NOTIFY_BY_EMAIL'],
  REFUSE: ['UPDATE_SAGE_FIELDS', 'CANCEL_UNIVERSIGN_TRANSACTION', 'NOTIFY_BY_EMAIL'],
  EXPIRE: ['UPDATE_SAGE_FIELDS', 'NOTIFY_BY_EMAIL'],
  ANNULE: ['UPDATE_SAGE_FIELDS'],
};

describe('actionsForStatus returns the exact expected list per status', () => {
  for (const status of STATUSES) {
    test(`${status} → [${ACTIONS[status].join(', ')}]`, () => {
      assert.deepEqual(actionsForStatus(status), ACTIONS[status]);
    });
  }
});

describe('actionsForStatus business rules', () => {
  for (const status of FINALS) {
    test(`final ${status} updates the Sage fields`, () => {
      assert.ok(actionsForStatus(status).includes('UPDATE_SAGE_FIELDS'));
    });
  }

  test('SIGNE converts the quote, archives the signed documents and notifies by e-mail', () => {
    const actions = actionsForStatus('SIGNE');
    for (const a of ['CONVERT_QUOTE_TO_ORDER', 'ARCHIVE_SIGNED_DOCUMENTS', 'NOTIFY_BY_EMAIL'] as const) {
      assert.ok(actions.includes(a), a);
    }
  });

  test('REFUSE cancels the Universign transaction and notifies by e-mail', () => {
    const actions = actionsForStatus('REFUSE');
    assert.ok(actions.includes('CANCEL_UNIVERSIGN_TRANSACTION'));
    assert.ok(actions.includes('NOTIFY_BY_EMAIL'));
  });

  test('EXPIRE notifies by e-mail', () => {
    assert.ok(actionsForStatus('EXPIRE').includes('NOTIFY_BY_EMAIL'));
  });

  test('EN_ATTENTE calls for no action', () => {
    assert.deepEqual(actionsForStatus('EN_ATTENTE'), []);
  });

  test('only SIGNE converts a quote or archives; only REFUSE cancels on Universign', () => {
    for (const status of STATUSES) {
      const actions = actionsForStatus(status);
      assert.equal(actions.includes('CONVERT_QUOTE_TO_ORDER'), status === 'SIGNE', `${status} convert`);
      assert.equal(actions.includes('ARCHIVE_SIGNED_DOCUMENTS'), status === 'SIGNE', `${status} archive`);
      assert.equal(actions.includes('CANCEL_UNIVERSIGN_TRANSACTION'), status === 'REFUSE', `${status} cancel`);
    }
  });

  test('every listed action is a known BUSINESS_ACTION, listed once', () => {
    for (const status of STATUSES) {
      const actions = actionsForStatus(status);
      assert.equal(new Set(actions).size, actions.length, `${status} has duplicates`);
      for (const a of actions) assert.ok((BUSINESS_ACTIONS as readonly string[]).includes(a), `${status}: ${a}`);
    }
  });

  test('the returned list is a fresh array: mutating it does not change later answers', () => {
    const first = actionsForStatus('SIGNE');
    first.length = 0;
    assert.deepEqual(actionsForStatus('SIGNE'), ACTIONS.SIGNE);
  });
});
