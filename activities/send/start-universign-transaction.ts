/**
 * Send step: start the filled draft. A retry first reads the transaction: one no longer in
 * `draft` was started by the attempt whose answer was lost, so it is not started again (which
 * Universign would refuse).
 */
import type { UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';
import { readDraftOnRetry } from './read-draft-on-retry';

export function createStartUniversignTransaction(universign: Pick<UniversignClient, 'getTransaction' | 'startTransaction'>) {
  return async function startUniversignTransaction(transactionId: string): Promise<{ state: string }> {
    try {
      const draft = await readDraftOnRetry(universign, transactionId);
      if (typeof draft?.state === 'string' && draft.state !== 'draft') return { state: draft.state };
      const started = await universign.startTransaction(transactionId);
      return { state: typeof started.state === 'string' ? started.state : 'started' };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
