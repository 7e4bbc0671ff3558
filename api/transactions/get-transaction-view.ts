/**
 * The API's view of one signature transaction, read from the database (the workflows' durable
 * projection). `transactionId` is the Universign id; the row's own uuid never leaves the database.
 * Its shape is the `transactionView` schema (transaction-schemas.ts).
 */

import { readActionSummary } from '../../activities/actions/read-action-summary';
import type { Prisma, PrismaClient } from '../../prisma/generated/client';
import type { TransactionView } from './transaction-schemas';

/** What to include with a transaction row to build its view. */
export const TRANSACTION_VIEW_INCLUDE = {
  signers: { orderBy: { position: 'asc' } },
  actions: { orderBy: { id: 'asc' } },
  archivedDocuments: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.SignatureTransactionInclude;

export type TransactionViewRow = Prisma.SignatureTransactionGetPayload<{ include: typeof TRANSACTION_VIEW_INCLUDE }>;

export async function getTransactionView(prisma: PrismaClient, transactionId: string): Promise<TransactionView | null> {
  const row = await prisma.signatureTransaction.findUnique({
    where: { universignId: transactionId },
    include: TRANSACTION_VIEW_INCLUDE,
  });
  return row ? toTransactionView(row) : null;
}

export function toTransactionView(row: TransactionViewRow): TransactionView {
  return {
    transactionId: row.universignId,
    workflowId: row.workflowId,
    sageDocument: row.sageDocumentType && row.sageDocumentNumber ? { type: row.sageDocumentType, number: row.sageDocumentNumber } : null,
    name: row.name,
    status: row.status,
    universignState: row.universignState,
    stalled: row.stalled,
    stalledReason: row.stalledReason,
    signers: row.signers.map((signer) => ({
      email: signer.email,
      name: signer.name,
      state: signer.state,
      ...(signer.url ? { url: signer.url } : {}),
    })),
    sentAt: iso(row.sentAt),
    expiresAt: iso(row.expiresAt),
    signedAt: iso(row.signedAt),
    refusedAt: iso(row.refusedAt),
    expiredAt: iso(row.expiredAt),
    cancelledAt: iso(row.cancelledAt),
    lastSyncedAt: iso(row.lastSyncedAt),
    syncCount: row.syncCount,
    quietSyncCount: row.quietSyncCount,
    lastSyncError: row.lastSyncError,
    lastSyncErrorAt: iso(row.lastSyncErrorAt),
    webhookReceived: row.webhookReceived,
    actions: row.actions.map((action) => ({
      kind: action.kind,
      status: action.state,
      at: iso(action.completedAt ?? action.updatedAt),
      forStatus: action.status,
      attempts: action.attempts,
      summary: readActionSummary(action.result),
      lastError: action.lastError,
    })),
    archivedDocuments: row.archivedDocuments.map((document) => ({
      name: document.name,
      sha256: document.sha256,
      path: document.path,
      sizeBytes: document.sizeBytes,
      universignDocumentId: document.universignDocumentId,
    })),
    sageOrder: row.sageOrderType && row.sageOrderNumber ? { type: row.sageOrderType, number: row.sageOrderNumber } : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
