/**
 * Send step: set a signer's full name and phone. Keyed by e-mail on Universign's side (an
 * upsert), so a retry after a lost answer writes the same values again: idempotent as it stands.
 */
import type { ParticipantInput, UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';

export function createSetUniversignParticipant(universign: Pick<UniversignClient, 'upsertParticipant'>) {
  return async function setUniversignParticipant(input: { transactionId: string; participant: ParticipantInput }): Promise<void> {
    try {
      await universign.upsertParticipant(input.transactionId, input.participant);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
