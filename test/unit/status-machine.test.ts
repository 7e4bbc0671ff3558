/**
 * Unit tests of the pure status machine (workflows/status-machine.ts) against the "Local statuses"
 * contract of design.md and the transaction states of universign-api.md.
 *
 * Every expected table below is written out by hand, never derived from the code under test, and
 * every table row is its own `test` so that a failure names the exact case.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  actionsForStatus,
  BUSINESS_ACTIONS,
  type BusinessAction,
  canTransition,
  FINAL_STATUSES,
  isFinalStatus,
  isLocalStatus,
  isRefusalStall,
  LOCAL_STATUSES,
  type LocalStatus,
  REFUSAL_STALL_REASONS,
  resolveTransition,
  SAGE_STATUS_LABELS,
  statusFromUniversign,
} from '../../workflows/status-machine';

/** The six local statuses, in contract order (design.md, "Local statuses"). */
const STATUSES: readonly LocalStatus[] = ['EN_ATTENTE', 'EN_COURS', 'SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'];
const FINALS: readonly LocalStatus[] = ['SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'];

/** The four refusal stall reasons documented by Universign (universign-api.md, "Refusal"). */
const REFUSAL_REASONS = ['signature_refusal', 'action_refusal', 'consultation_refusal', 'review_refusal'] as const;

/** Stalled reasons that are not refusals (inactivity also stalls a transaction). */
const NON_REFUSAL_REASONS: readonly (string | null | undefined)[] = ['inactivity', null, undefined];

const fmt = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));

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

// ---------------------------------------------------------------------------------------------
// statusFromUniversign
// ---------------------------------------------------------------------------------------------

/**
 * Expected local status per documented Universign state: `plain` whatever the stall, unless
 * `whenRefusalStall` is given, which applies when stalled:true with a refusal reason.
 * (design.md: EN_COURS = started or paused, not stalled by a refusal; REFUSE = stalled by a refusal.)
 */
const UNIVERSIGN_STATE_TABLE: Record<string, { plain: LocalStatus; whenRefusalStall: LocalStatus }> = {
  draft: { plain: 'EN_ATTENTE', whenRefusalStall: 'EN_ATTENTE' },
  started: { plain: 'EN_COURS', whenRefusalStall: 'REFUSE' },
  paused: { plain: 'EN_COURS', whenRefusalStall: 'REFUSE' },
  completed: { plain: 'SIGNE', whenRefusalStall: 'SIGNE' },
  cancelled: { plain: 'ANNULE', whenRefusalStall: 'ANNULE' },
  expired: { plain: 'EXPIRE', whenRefusalStall: 'EXPIRE' },
};

describe('statusFromUniversign maps every documented Universign state × stall flag × stall reason', () => {
  for (const [state, expected] of Object.entries(UNIVERSIGN_STATE_TABLE)) {
    describe(`state "${state}"`, () => {
      for (const stalled of [false, true]) {
        for (const reason of REFUSAL_REASONS) {
          const want = stalled ? expected.whenRefusalStall : expected.plain;
          test(`${state}, stalled=${stalled}, reason=${reason} → ${want}`, () => {
            assert.equal(statusFromUniversign(state, stalled, reason), want);
          });
        }
        for (const reason of NON_REFUSAL_REASONS) {
          const want = expected.plain;
          test(`${state}, stalled=${stalled}, reason=${fmt(reason)} (not a refusal) → ${want}`, () => {
            assert.equal(statusFromUniversign(state, stalled, reason), want);
          });
        }
      }
    });
  }

  describe('an unknown state maps to null (caller keeps its status)', () => {
    // `refused`/`failed` belong to the legacy XML-RPC API: v1 has no such state.
    const unknownStates = ['refused', 'failed', 'archived', 'deleted', '', 'STARTED', 'Completed', ' started'];
    for (const state of unknownStates) {
      for (const [stalled, reason] of [
        [false, null],
        [true, 'signature_refusal'],
      ] as const) {
        test(`state ${fmt(state)}, stalled=${stalled}, reason=${fmt(reason)} → null`, () => {
          assert.equal(statusFromUniversign(state, stalled, reason), null);
        });
      }
    }
  });
});

describe('isRefusalStall: only stalled:true with one of the four refusal reasons is a refusal', () => {
  const rows: [boolean, string | null | undefined, boolean][] = [
    [true, 'signature_refusal', true],
    [true, 'action_refusal', true],
    [true, 'consultation_refusal', true],
    [true, 'review_refusal', true],
    [true, 'inactivity', false],
    [true, null, false],
    [true, undefined, false],
    [true, '', false],
    [true, 'SIGNATURE_REFUSAL', false],
    [false, 'signature_refusal', false],
    [false, 'action_refusal', false],
    [false, 'consultation_refusal', false],
    [false, 'review_refusal', false],
    [false, 'inactivity', false],
    [false, null, false],
  ];
  for (const [stalled, reason, want] of rows) {
    test(`stalled=${stalled}, reason=${fmt(reason)} → ${want}`, () => {
      assert.equal(isRefusalStall(stalled, reason), want);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// canTransition
// ---------------------------------------------------------------------------------------------

/**
 * canTransition(from, to), written out: rows are `from`, columns are `to`, both in the order
 * EN_ATTENTE, EN_COURS, SIGNE, REFUSE, EXPIRE, ANNULE. Forward only (EN_ATTENTE → anything later,
 * EN_COURS → any final), finals frozen, same → same is not a transition.
 */
const T = true;
const F = false;
const CAN_TRANSITION: Record<LocalStatus, Record<LocalStatus, boolean>> = {
  //           EN_ATTENTE   EN_COURS   SIGNE   REFUSE   EXPIRE   ANNULE
  EN_ATTENTE: { EN_ATTENTE: F, EN_COURS: T, SIGNE: T, REFUSE: T, EXPIRE: T, ANNULE: T },
  EN_COURS: { EN_ATTENTE: F, EN_COURS: F, SIGNE: T, REFUSE: T, EXPIRE: T, ANNULE: T },
  SIGNE: { EN_ATTENTE: F, EN_COURS: F, SIGNE: F, REFUSE: F, EXPIRE: F, ANNULE: F },
  REFUSE: { EN_ATTENTE: F, EN_COURS: F, SIGNE: F, REFUSE: F, EXPIRE: F, ANNULE: F },
  EXPIRE: { EN_ATTENTE: F, EN_COURS: F, SIGNE: F, REFUSE: F, EXPIRE: F, ANNULE: F },
  ANNULE: { EN_ATTENTE: F, EN_COURS: F, SIGNE: F, REFUSE: F, EXPIRE: F, ANNULE: F },
};

describe('canTransition over every ordered pair of local statuses (36 cases)', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const want = CAN_TRANSITION[from][to];
      const why =
        from === to
          ? 'staying put is not a transition'
          : FINALS.includes(from)
            ? 'a final status never changes'
            : want
              ? 'forward move'
              : 'backward move refused';
      test(`${from} → ${to} is ${want ? 'allowed' : 'refused'} (${why})`, () => {
        assert.equal(canTransition(from, to), want);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// resolveTransition
// ---------------------------------------------------------------------------------------------

type Kind = 'unchanged' | 'changed' | 'conflict';
const U: Kind = 'unchanged';
const C: Kind = 'changed';
const X: Kind = 'conflict';

type Current = LocalStatus | null;
type Observed = LocalStatus | null;
const CURRENTS: readonly Current[] = [null, ...STATUSES];
const OBSERVEDS: readonly Observed[] = [...STATUSES, null];
const key = (s: LocalStatus | null): string => (s === null ? 'null' : s);

/**
 * resolveTransition(current, observed).kind, written out: rows are `current` (null = before the
 * first sync), columns are `observed` in the order EN_ATTENTE, EN_COURS, SIGNE, REFUSE, EXPIRE,
 * ANNULE, null (null = unknown Universign state).
 */
const RESOLVE_KIND: Record<string, Record<string, Kind>> = {
  //              EN_ATTENTE EN_COURS SIGNE REFUSE EXPIRE ANNULE null
  null: { EN_ATTENTE: C, EN_COURS: C, SIGNE: C, REFUSE: C, EXPIRE: C, ANNULE: C, null: X },
  EN_ATTENTE: { EN_ATTENTE: U, EN_COURS: C, SIGNE: C, REFUSE: C, EXPIRE: C, ANNULE: C, null: X },
  EN_COURS: { EN_ATTENTE: X, EN_COURS: U, SIGNE: C, REFUSE: C, EXPIRE: C, ANNULE: C, null: X },
  SIGNE: { EN_ATTENTE: X, EN_COURS: X, SIGNE: U, REFUSE: X, EXPIRE: X, ANNULE: X, null: X },
  REFUSE: { EN_ATTENTE: X, EN_COURS: X, SIGNE: X, REFUSE: U, EXPIRE: X, ANNULE: X, null: X },
  EXPIRE: { EN_ATTENTE: X, EN_COURS: X, SIGNE: X, REFUSE: X, EXPIRE: U, ANNULE: X, null: X },
  ANNULE: { EN_ATTENTE: X, EN_COURS: X, SIGNE: X, REFUSE: X, EXPIRE: X, ANNULE: U, null: X },
};

/** The status held after resolution: changed → observed; unchanged and conflict → current. */
function expectedStatus(current: Current, observed: Observed, kind: Kind): LocalStatus {
  if (kind === 'changed') return observed as LocalStatus;
  // Nothing held yet and nothing recognisable observed: the machine falls back to EN_ATTENTE.
  if (current === null) return 'EN_ATTENTE';
  return current;
}

describe('resolveTransition over every (current ∈ null + six) × (observed ∈ six + null) pair (49 cases)', () => {
  for (const current of CURRENTS) {
    for (const observed of OBSERVEDS) {
      const kind = RESOLVE_KIND[key(current)]?.[key(observed)];
      assert.ok(kind, `missing table row ${key(current)} × ${key(observed)}`);
      const status = expectedStatus(current, observed, kind);
      test(`current ${key(current)}, observed ${key(observed)} → ${kind}, holds ${status}`, () => {
        const result = resolveTransition(current, observed);
        assert.equal(result.kind, kind);
        assert.equal(result.status, status);
        switch (result.kind) {
          case 'changed':
            assert.equal(result.previous, current, 'a change records the previous status');
            break;
          case 'conflict':
            assert.equal(result.observed, observed, 'a conflict records what was observed');
            assert.equal(typeof result.reason, 'string');
            assert.ok(result.reason.trim().length > 0, 'a conflict reason is a non-empty string');
            break;
          case 'unchanged':
            break;
        }
      });
    }
  }
});

describe('resolveTransition invariants', () => {
  for (const final of FINALS) {
    test(`a final status (${final}) is held whatever is observed`, () => {
      for (const observed of OBSERVEDS) {
        assert.equal(resolveTransition(final, observed).status, final, `observed ${key(observed)}`);
      }
    });
  }

  test('resolution agrees with canTransition on every pair of held statuses', () => {
    for (const current of STATUSES) {
      for (const observed of STATUSES) {
        const result = resolveTransition(current, observed);
        if (current === observed) assert.equal(result.kind, 'unchanged');
        else assert.equal(result.kind === 'changed', canTransition(current, observed), `${current} → ${observed}`);
      }
    }
  });

  test('conflict reasons of a final status and of a backward move differ', () => {
    const fromFinal = resolveTransition('SIGNE', 'EN_COURS');
    const backward = resolveTransition('EN_COURS', 'EN_ATTENTE');
    assert.equal(fromFinal.kind, 'conflict');
    assert.equal(backward.kind, 'conflict');
    if (fromFinal.kind === 'conflict' && backward.kind === 'conflict') {
      assert.notEqual(fromFinal.reason, backward.reason);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Sage labels and business actions
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// isFinalStatus / isLocalStatus
// ---------------------------------------------------------------------------------------------

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
