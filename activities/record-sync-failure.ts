/**
 * Records a failed sync: the error on the transaction row and an unsuccessful sync-log entry.
 * Idempotent on the sync key, like recordSyncResult.
 */
import type { PrismaClient } from '../prisma/generated/client';
import type { RecordSyncFailureInput } from './sync-contracts';

export function createRecordSyncFailure({ prisma }: { prisma: PrismaClient }) {
  return async function recordSyncFailure(input: RecordSyncFailureInput): Promise<{ recorded: boolean }> {
    return prisma.$transaction(async (tx) => {
      const already = await tx.syncLogEntry.findUnique({ where: { syncKey: input.syncKey }, select: { id: true } });
      if (already) return { recorded: false };
      const at = new Date(input.at);
      const message = `${input.error.type}: ${input.error.message}`;
      const sage = input.sageDocument
        ? { sageDocumentType: input.sageDocument.type, sageDocumentNumber: input.sageDocument.number }
        : {};
      const row = await tx.signatureTransaction.upsert({
        where: { universignId: input.transactionId },
        create: {
          universignId: input.transactionId,
          workflowId: input.workflowId,
          ...sage,
          lastSyncError: message,
          lastSyncErrorAt: at,
        },
        update: { workflowId: input.workflowId, lastSyncError: message, lastSyncErrorAt: at },
      });
      await tx.syncLogEntry.create({
        data: {
          syncKey: input.syncKey,
          transactionId: row.id,
          source: input.source,
          previousStatus: input.status,
          newStatus: input.status,
          statusChanged: false,
          success: false,
          error: message,
          details: { terminal: input.terminal },
        },
      });
      return { recorded: true };
    });
  };
}
