// The status machine's statuses themselves (workflows/status-machine.ts): the contract lists, isFinalStatus and isLocalStatus.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FINAL_STATUSES,
  isFinalStatus,
  isLocalStatus,
  LOCAL_STATUSES,
  type LocalStatus,
  REFUSAL_STALL_REASONS,
} from '../../workflows/status-machine';
import { FINALS, fmt, REFUSAL_REASONS, STATUSES } from './status-machine-fixtures';

describe('contract: the local statuses', () => {
  test('LOCAL_STATUSES are exactly the six contract names, in forward order', () => {
    assert.deepEqual([...LOCAL_STATUSES], [...STATUSES]);
  });

  test('FINAL_STATUSES are exactly SIGNE, REFUSE, EXPIRE, ANNULE', () => {
    assert.deepEqual([...FINAL_STATUSES].sort(), [...FINALS].sort());
  });

  test('REFUSAL_STALL_REASONS are exactly the four documented refusal reasons', () => {
    assert.deepEqual([...REFUSAL_STALL_REASONS].sort(), [...REFUSAL_REASONS].sort());
  });
});

describe('isFinalStatus', () => {
  const FINAL: Record<LocalStatus, boolean> = {
    EN_ATTENTE: false,
    EN_COURS: false,
    SIGNE: true,
    REFUSE: true,
    EXPIRE: true,
    ANNULE: true,
  };
  for (const status of STATUSES) {
    test(`${status} is ${FINAL[status] ? '' : 'not '}final`, () => {
      assert.equal(isFinalStatus(status), FINAL[status]);
    });
  }
});

describe('isLocalStatus', () => {
  for (const status of STATUSES) {
    test(`accepts ${status}`, () => {
      assert.equal(isLocalStatus(status), true);
    });
  }

  const rejected: unknown[] = [
    'en_attente',
    'Signe',
    'SIGNÉ',
    ' SIGNE',
    'SIGNE ',
    'REFUSED',
    'started',
    'completed',
    '',
    'toString',
    null,
    undefined,
    0,
    1,
    true,
    {},
    ['SIGNE'],
    new String('SIGNE'),
    Symbol('SIGNE'),
  ];
  for (const value of rejected) {
    const label = typeof value === 'symbol' ? 'Symbol(SIGNE)' : value instanceof String ? 'new String("SIGNE")' : fmt(value);
    test(`rejects ${label}`, () => {
      assert.equal(isLocalStatus(value), false);
    });
  }
});
