/**
 * Records a sync that found nothing new: one UPDATE of the transaction row (last read, counters),
 * no sync-log entry. The sync log keeps changes and errors in full; quiet syncs are counted on
 * the row (`quiet_sync_count`). Keyed by the sync key, so a retried call writes nothing more.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { utcTimestamp } from './sql-time';
import type { RecordQuietSyncInput, RecordQuietSyncResult } from './sync-contracts';

export function createRecordQuietSync({ prisma, clock = () => new Date() }: { prisma: PrismaClient; clock?: () => Date }) {
  return async function recordQuietSync(input: RecordQuietSyncInput): Promise<RecordQuietSyncResult> {
    const updated = await prisma.$executeRaw`
      UPDATE "signature_transactions" SET
        "last_synced_at" = ${utcTimestamp(input.syncedAt)},
        "sync_count" = "sync_count" + 1,
        "quiet_sync_count" = "quiet_sync_count" + 1,
        "webhook_received" = "webhook_received" OR ${input.webhookReceived},
        "last_sync_error" = NULL,
        "last_sync_error_at" = NULL,
        "last_sync_key" = ${input.syncKey},
        "updated_at" = ${utcTimestamp(clock())}
      WHERE "universign_id" = ${input.transactionId} AND "last_sync_key" IS DISTINCT FROM ${input.syncKey}`;
    if (updated > 0) return { recorded: true, missing: false };
    // Rare: a retry of a call that did write, or a row that is gone (then the workflow records the sync in full).
    const row = await prisma.signatureTransaction.findUnique({ where: { universignId: input.transactionId }, select: { id: true } });
    return { recorded: false, missing: row === null };
  };
}
