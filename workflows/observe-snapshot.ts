/** What a Universign snapshot tells against the state the workflow holds, and the state it leaves. Pure. */
import type { TransactionSnapshot } from '../activities/transaction-snapshot';
import type { SignerState, TransactionState } from './messages';
import { isFinalStatus, resolveTransition, statusFromUniversign, type TransitionResolution } from './status-machine';

export interface Observation {
  /** The status to hold, and whether it changed or was refused (conflict). */
  decision: TransitionResolution;
  signers: SignerState[];
  /** Anything the projection shows moved: status, Universign state, stall, signers. */
  somethingMoved: boolean;
}

export function observeSnapshot(state: TransactionState, snapshot: TransactionSnapshot): Observation {
  const observed = statusFromUniversign(snapshot.state, snapshot.stalled, snapshot.stalledReason);
  const decision = resolveTransition(state.status, observed);
  const signers = snapshot.signers.map(({ email, name, state: signerState, url }) => ({ email, name, state: signerState, url }));
  const somethingMoved =
    decision.kind === 'changed' ||
    snapshot.state !== state.universignState ||
    snapshot.stalled !== state.stalled ||
    !sameSigners(signers, state.signers);
  return { decision, signers, somethingMoved };
}

/** The held state once a sync recorded what `snapshot` showed. */
export function applyObservation(state: TransactionState, snapshot: TransactionSnapshot, { decision, signers }: Observation): void {
  state.status = decision.status;
  state.universignState = snapshot.state;
  state.stalled = snapshot.stalled;
  state.stalledReason = snapshot.stalledReason;
  state.signers = signers;
  state.syncCount += 1;
  if (decision.kind === 'changed') state.statusChanges += 1;
  state.lastSyncedAt = snapshot.fetchedAt;
  state.lastSyncError = null;
  state.final = isFinalStatus(decision.status);
}

function sameSigners(a: SignerState[], b: SignerState[]): boolean {
  return (
    a.length === b.length &&
    a.every((signer, i) => signer.email === b[i]?.email && signer.state === b[i]?.state && signer.url === b[i]?.url)
  );
}
