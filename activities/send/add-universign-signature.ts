/**
 * Send step: attach a signer to its field, which creates the participant. A retry first reads the
 * transaction: a participant with that e-mail means the signature is there already (before the
 * participants' details step, only a signature creates one), so it is not added twice.
 */
import type { UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';
import { objectsIn, readDraftOnRetry } from './read-draft-on-retry';

export interface AddUniversignSignatureInput {
  transactionId: string;
  signer: string;
  fieldId: string;
}

export function createAddUniversignSignature(universign: Pick<UniversignClient, 'getTransaction' | 'addSignature'>) {
  return async function addUniversignSignature({ transactionId, signer, fieldId }: AddUniversignSignatureInput): Promise<void> {
    try {
      const draft = await readDraftOnRetry(universign, transactionId);
      const present = objectsIn(draft?.participants).some(
        (participant) => typeof participant.email === 'string' && participant.email.toLowerCase() === signer.toLowerCase(),
      );
      if (present) return;
      await universign.addSignature(transactionId, { signer, field: fieldId });
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
