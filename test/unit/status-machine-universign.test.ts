// The status machine's reading of Universign (workflows/status-machine.ts): statusFromUniversign and isRefusalStall.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRefusalStall, type LocalStatus, statusFromUniversign } from '../../workflows/status-machine';
import { fmt, NON_REFUSAL_REASONS, REFUSAL_REASONS } from './status-machine-fixtures';

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
