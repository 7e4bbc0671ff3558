/**
 * Activity: read one transaction from Universign and return its normalised snapshot.
 * Universign errors leave as typed ApplicationFailures so the workflow's retry policy can tell
 * "try again later" from "this will never work".
 */
import { normalizeTransaction } from './normalize-transaction';
import type { FetchContext } from './sync-contracts';
import type { SyncMetrics } from './sync-metrics';
import type { TransactionSnapshot } from './transaction-snapshot';
import type { UniversignClient } from './universign-client';
import { toActivityFailure, UniversignBadResponseError } from './universign-errors';

export interface FetchUniversignTransactionDeps {
  universign: Pick<UniversignClient, 'getTransaction'>;
  clock: () => Date;
  metrics?: SyncMetrics;
}

export type FetchUniversignTransaction = (transactionId: string, context?: FetchContext) => Promise<TransactionSnapshot>;

export function createFetchUniversignTransaction({
  universign,
  clock,
  metrics,
}: FetchUniversignTransactionDeps): FetchUniversignTransaction {
  return async function fetchUniversignTransaction(transactionId, fetchContext = {}) {
    if (fetchContext.dueAtMs !== undefined) metrics?.pollStarted(Math.max(0, clock().getTime() - fetchContext.dueAtMs) / 1000);
    const context = { method: 'GET', path: `/transactions/${encodeURIComponent(transactionId)}` };
    try {
      const raw = await universign.getTransaction(transactionId);
      const snapshot = normalizeTransaction(raw, clock().toISOString(), context);
      // Syncing one transaction with another's data would corrupt both records.
      if (snapshot.transactionId !== transactionId) {
        throw new UniversignBadResponseError({
          ...context,
          reason: `asked for ${transactionId}, received ${snapshot.transactionId}`,
        });
      }
      return snapshot;
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
