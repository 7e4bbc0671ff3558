/**
 * Records one successful sync: the transaction row, its signers and a sync-log entry, in a single
 * database transaction. Keyed by the sync key: a retried or replayed call writes nothing more.
 */
import type { Prisma, PrismaClient } from '../prisma/generated/client';
import type { LocalStatus } from '../workflows/status-machine';
import type { RecordSyncInput, RecordSyncResult } from './sync-contracts';
import type { SignerSnapshot, TransactionSnapshot } from './transaction-snapshot';

export interface RecordSyncDeps {
  prisma: PrismaClient;
}

export function createRecordSyncResult({ prisma }: RecordSyncDeps) {
  return async function recordSyncResult(input: RecordSyncInput): Promise<RecordSyncResult> {
    return prisma.$transaction(async (tx) => {
      const already = await tx.syncLogEntry.findUnique({ where: { syncKey: input.syncKey }, select: { id: true } });
      if (already) return { recorded: false };

      const snapshot = input.snapshot;
      const syncedAt = new Date(snapshot.fetchedAt);
      const existing = await tx.signatureTransaction.findUnique({ where: { universignId: input.transactionId } });
      const fields = {
        workflowId: input.workflowId,
        ...(input.sageDocument
          ? { sageDocumentType: input.sageDocument.type, sageDocumentNumber: input.sageDocument.number }
          : {}),
        name: snapshot.name,
        universignState: snapshot.state,
        stalled: snapshot.stalled,
        stalledReason: snapshot.stalledReason,
        status: input.status,
        sentAt: toDate(snapshot.startedAt) ?? existing?.sentAt ?? null,
        expiresAt: toDate(snapshot.expiresAt),
        ...statusDates(input.status, snapshot, syncedAt, existing),
        signerUrl: nextSignerUrl(snapshot.signers),
        documentIds: snapshot.documents.map((document) => document.id),
        lastSyncedAt: syncedAt,
        syncCount: (existing?.syncCount ?? 0) + 1,
        webhookReceived: input.webhookReceived || (existing?.webhookReceived ?? false),
        lastSyncError: null,
        lastSyncErrorAt: null,
      } satisfies Prisma.SignatureTransactionUncheckedUpdateInput;

      const row = existing
        ? await tx.signatureTransaction.update({ where: { id: existing.id }, data: fields })
        : await tx.signatureTransaction.create({ data: { universignId: input.transactionId, ...fields } });

      await replaceSigners(tx, row.id, snapshot.signers);
      await tx.syncLogEntry.create({
        data: {
          syncKey: input.syncKey,
          transactionId: row.id,
          source: input.source,
          previousStatus: input.previousStatus,
          newStatus: input.status,
          statusChanged: input.statusChanged,
          universignState: snapshot.state,
          success: true,
          details: {
            stalled: snapshot.stalled,
            stalledReason: snapshot.stalledReason,
            conflict: input.conflict,
            signers: snapshot.signers.map((signer) => ({ email: signer.email, state: signer.state })),
          },
        },
      });
      return { recorded: true };
    });
  };
}

async function replaceSigners(tx: Prisma.TransactionClient, transactionId: string, signers: SignerSnapshot[]) {
  await tx.signer.deleteMany({
    where: { transactionId, email: { notIn: signers.map((signer) => signer.email) } },
  });
  for (const [position, signer] of signers.entries()) {
    const data = {
      name: signer.name,
      state: signer.state,
      url: signer.url,
      position,
      signedAt: toDate(signer.signedAt),
      refusedAt: toDate(signer.refusedAt),
    };
    await tx.signer.upsert({
      where: { transactionId_email: { transactionId, email: signer.email } },
      create: { transactionId, email: signer.email, ...data },
      update: data,
    });
  }
}

/** The date of reaching a final status is set once, from Universign's own dates when it gives them. */
function statusDates(
  status: LocalStatus,
  snapshot: TransactionSnapshot,
  syncedAt: Date,
  existing: { signedAt: Date | null; refusedAt: Date | null; expiredAt: Date | null; cancelledAt: Date | null } | null,
) {
  switch (status) {
    case 'SIGNE':
      return { signedAt: existing?.signedAt ?? toDate(snapshot.completedAt) ?? latest(snapshot.signers, 'signedAt') ?? syncedAt };
    case 'REFUSE':
      return { refusedAt: existing?.refusedAt ?? latest(snapshot.signers, 'refusedAt') ?? syncedAt };
    case 'EXPIRE':
      return { expiredAt: existing?.expiredAt ?? syncedAt };
    case 'ANNULE':
      return { cancelledAt: existing?.cancelledAt ?? toDate(snapshot.cancelledAt) ?? syncedAt };
    default:
      return {};
  }
}

const DONE_SIGNER_STATES = new Set(['completed', 'signed', 'closed', 'refused']);

function nextSignerUrl(signers: SignerSnapshot[]): string | null {
  return signers.find((signer) => signer.url && !DONE_SIGNER_STATES.has(signer.state))?.url ?? null;
}

function latest(signers: SignerSnapshot[], field: 'signedAt' | 'refusedAt'): Date | null {
  const dates = signers.map((signer) => toDate(signer[field])).filter((date): date is Date => date !== null);
  return dates.length === 0 ? null : new Date(Math.max(...dates.map((date) => date.getTime())));
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
