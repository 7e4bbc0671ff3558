/**
 * The API's view of one signature transaction, read from the database (the workflows' durable
 * projection). `transactionId` is the Universign id; the row's own uuid never leaves the database.
 */
import type { Prisma, PrismaClient } from '../prisma/generated/client';
import type { LocalStatus } from '../workflows/status-machine';

export interface TransactionView {
  transactionId: string;
  workflowId: string;
  sageDocument: { type: string; number: string } | null;
  name: string | null;
  status: LocalStatus;
  universignState: string | null;
  stalled: boolean;
  stalledReason: string | null;
  signers: Array<{ email: string; name: string | null; state: string; url?: string }>;
  sentAt: string | null;
  expiresAt: string | null;
  signedAt: string | null;
  refusedAt: string | null;
  expiredAt: string | null;
  cancelledAt: string | null;
  lastSyncedAt: string | null;
  syncCount: number;
  lastSyncError: string | null;
  lastSyncErrorAt: string | null;
  webhookReceived: boolean;
  // Business actions and archives get their own tables later; until then nothing is recorded.
  actions: Array<{ kind: string; status: string; at: string | null }>;
  archivedDocuments: Array<{ name: string; sha256: string; path: string }>;
  updatedAt: string;
}

/** What to include with a transaction row to build its view. */
export const TRANSACTION_VIEW_INCLUDE = {
  signers: { orderBy: { position: 'asc' } },
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
    sageDocument:
      row.sageDocumentType && row.sageDocumentNumber ? { type: row.sageDocumentType, number: row.sageDocumentNumber } : null,
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
    lastSyncError: row.lastSyncError,
    lastSyncErrorAt: iso(row.lastSyncErrorAt),
    webhookReceived: row.webhookReceived,
    actions: [],
    archivedDocuments: [],
    updatedAt: row.updatedAt.toISOString(),
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
