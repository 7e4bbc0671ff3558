/**
 * A transaction's audit log: every sync the workflows recorded, every webhook event received
 * and every business action carried out (or failed) for it, merged in time order (oldest first,
 * the most recent `limit` entries).
 */
import { readActionSummary } from '../../activities/actions/read-action-summary';
import type { PrismaClient } from '../../prisma/generated/client';
import type { HistoryEntry, TransactionHistory } from './transaction-schemas';

/** null when neither the transaction nor any webhook event about it is known. */
export async function getTransactionHistory(
  prisma: PrismaClient,
  transactionId: string,
  limit: number,
): Promise<TransactionHistory | null> {
  const transaction = await prisma.signatureTransaction.findUnique({
    where: { universignId: transactionId },
    select: { id: true },
  });
  // Newest first from each source, so `limit` keeps the recent end of a long-lived transaction.
  const syncs = transaction
    ? await prisma.syncLogEntry.findMany({
        where: { transactionId: transaction.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit,
      })
    : [];
  const events = await prisma.webhookEvent.findMany({
    where: { universignTransactionId: transactionId },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  const actions = transaction
    ? await prisma.businessActionRecord.findMany({
        where: { transactionId: transaction.id },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: limit,
      })
    : [];
  if (!transaction && events.length === 0) return null;

  const entries: Array<{ time: number; entry: HistoryEntry }> = [
    ...syncs.map((sync) => ({
      time: sync.createdAt.getTime(),
      entry: {
        at: sync.createdAt.toISOString(),
        kind: 'sync' as const,
        source: sync.source,
        previousStatus: sync.previousStatus,
        newStatus: sync.newStatus,
        statusChanged: sync.statusChanged,
        universignState: sync.universignState,
        success: sync.success,
        error: sync.error,
        details: sync.details,
      },
    })),
    ...events.map((event) => ({
      time: event.receivedAt.getTime(),
      entry: {
        at: event.receivedAt.toISOString(),
        kind: 'webhook' as const,
        eventId: event.eventId,
        type: event.type,
        status: event.status,
        duplicateCount: event.duplicateCount,
        lastError: event.lastError,
      },
    })),
    ...actions.map((action) => ({
      time: (action.completedAt ?? action.updatedAt).getTime(),
      entry: {
        at: (action.completedAt ?? action.updatedAt).toISOString(),
        kind: 'action' as const,
        action: action.kind,
        forStatus: action.status,
        state: action.state,
        attempts: action.attempts,
        summary: readActionSummary(action.result),
        lastError: action.lastError,
      },
    })),
  ];
  // The lists arrive newest first; a stable sort keeps their own order on equal times.
  entries.sort((a, b) => b.time - a.time);
  return {
    transactionId,
    entries: entries
      .slice(0, limit)
      .reverse()
      .map(({ entry }) => entry),
  };
}
