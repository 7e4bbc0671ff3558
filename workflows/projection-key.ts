/**
 * What a sync writes to the database projection, as one string: when a sync's key equals the
 * last recorded one, it found nothing new and is recorded with one small write (counted, not
 * logged). Pure and deterministic, for the workflow.
 */
import type { SageDocumentRef } from '../activities/sync-contracts';
import type { TransactionSnapshot } from '../activities/transaction-snapshot';
import type { LocalStatus } from './status-machine';

export function projectionKey(snapshot: TransactionSnapshot, status: LocalStatus, sageDocument: SageDocumentRef | null): string {
  return JSON.stringify([
    status,
    snapshot.state,
    snapshot.stalled,
    snapshot.stalledReason,
    snapshot.name,
    snapshot.startedAt,
    snapshot.expiresAt,
    snapshot.completedAt,
    snapshot.cancelledAt,
    snapshot.documents.map((document) => document.id),
    snapshot.signers.map((signer) => [signer.email, signer.name, signer.state, signer.url, signer.signedAt, signer.refusedAt]),
    sageDocument ? [sageDocument.type, sageDocument.number] : null,
  ]);
}
