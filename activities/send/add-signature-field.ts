/**
 * Send step: add one signature field (no position: an invisible signature) for one signer.
 * Universign lists no fields and takes no idempotency key: a field whose answer is lost is created
 * again by the retry, leaving an unused field on the draft (no signer is ever attached to it). The
 * workflow keeps the returned field id, so the signature step after it never adds another one.
 */
import type { UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';

export interface AddSignatureFieldInput {
  transactionId: string;
  documentId: string;
}

export function createAddSignatureField(universign: Pick<UniversignClient, 'addSignatureField'>) {
  return async function addSignatureField({ transactionId, documentId }: AddSignatureFieldInput): Promise<{ fieldId: string }> {
    try {
      const field = await universign.addSignatureField(transactionId, documentId);
      return { fieldId: field.id };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
