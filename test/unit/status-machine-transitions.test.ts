// The status machine's transitions (workflows/status-machine.ts): canTransition and resolveTransition, every pair written out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canTransition, type LocalStatus, resolveTransition } from '../../workflows/status-machine';
import { FINALS, STATUSES } from './status-machine-fixtures';

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
