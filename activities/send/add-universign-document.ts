/**
 * Send step: add the uploaded PDF to the draft. A retry first looks for a document of that name
 * on the transaction (GET lists documents), so a lost answer does not add it twice.
 */
import type { UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';
import { objectsIn, readDraftOnRetry } from './read-draft-on-retry';

export interface AddUniversignDocumentInput {
  transactionId: string;
  fileId: string;
  name: string;
}

export function createAddUniversignDocument(universign: Pick<UniversignClient, 'getTransaction' | 'addDocument'>) {
  return async function addUniversignDocument({
    transactionId,
    fileId,
    name,
  }: AddUniversignDocumentInput): Promise<{ documentId: string }> {
    try {
      const draft = await readDraftOnRetry(universign, transactionId);
      const existing = objectsIn(draft?.documents).find((document) => document.name === name);
      if (typeof existing?.id === 'string') return { documentId: existing.id };
      const document = await universign.addDocument(transactionId, fileId, name);
      return { documentId: document.id };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
