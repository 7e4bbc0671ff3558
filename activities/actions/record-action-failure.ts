/** Marks an action as permanently failed (its retries are exhausted), for the API, the history and the UI. */
import type { PrismaClient } from '../../prisma/generated/client';
import type { RecordActionFailureInput } from '../sync-contracts';

export function createRecordActionFailure({ prisma }: { prisma: PrismaClient }) {
  return async function recordActionFailure(input: RecordActionFailureInput): Promise<void> {
    const transaction = await prisma.signatureTransaction.findUnique({
      where: { universignId: input.transactionId },
      select: { id: true },
    });
    if (!transaction) return;
    const identity = { transactionId: transaction.id, kind: input.kind, status: input.status };
    const lastError = `${input.error.type}: ${input.error.message}`;
    await prisma.businessActionRecord.upsert({
      where: { transactionId_kind_status: identity },
      create: { ...identity, state: 'failed', lastError, completedAt: new Date() },
      update: { state: 'failed', lastError, completedAt: new Date() },
    });
  };
}
