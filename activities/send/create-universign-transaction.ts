/**
 * Send step: create the draft transaction, with metadata linking the Sage document and the
 * request (the send workflow's id).
 *
 * Retries: Universign takes no idempotency key and documents no way to list transactions by
 * metadata, so a create whose answer is lost (timeout after Universign did it) cannot be found
 * again: its retry creates a second draft. That draft is never filled nor started, carries the
 * `requestId` metadata naming the request, and Universign deletes drafts after 7 days. Every
 * later step works on the id this step returned, which the workflow keeps in its history, so a
 * step is never re-run once its result is recorded.
 */
import type { CreateTransactionInput, UniversignClient } from '../universign-client';
import { toActivityFailure } from '../universign-errors';

export function createCreateUniversignTransaction(universign: Pick<UniversignClient, 'createTransaction'>) {
  return async function createUniversignTransaction(input: CreateTransactionInput): Promise<{ transactionId: string }> {
    try {
      const created = await universign.createTransaction(input);
      return { transactionId: created.id };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
