/**
 * Archives the signed documents and the evidence PDF of a completed transaction under
 * ARCHIVE_DIR (atomic writes, sha256 and size recorded). Documents already archived are skipped,
 * so a retry after a partial run only fetches what is missing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { archiveDirectoryFor } from '../archive-store';
import type { BusinessActionInput, BusinessActionOutcome } from '../sync-contracts';
import { TransactionNotFoundError, toActivityFailure } from '../universign-errors';
import type { BusinessActionDeps } from './business-action-deps';
import { runRecordedAction } from './run-recorded-action';

const EVIDENCE_ID = 'evidence';

export function createArchiveSignedDocuments({ prisma, universign, archive }: BusinessActionDeps) {
  return async function archiveSignedDocuments(input: BusinessActionInput): Promise<BusinessActionOutcome> {
    return runRecordedAction(
      prisma,
      { transactionId: input.transactionId, kind: 'ARCHIVE_SIGNED_DOCUMENTS', status: input.status },
      async ({ transactionRowId }) => {
        if (!archive) return { state: 'skipped', summary: 'archive not configured (ARCHIVE_DIR)' };
        const row = await prisma.signatureTransaction.findUniqueOrThrow({
          where: { id: transactionRowId },
          select: { signedAt: true, archivedDocuments: { select: { universignDocumentId: true } } },
        });
        const done = new Set(row.archivedDocuments.map((document) => document.universignDocumentId));
        const relativeDir = archiveDirectoryFor({
          signedAt: row.signedAt ?? new Date(input.at),
          sageDocument: input.sageDocument,
          transactionId: input.transactionId,
        });
        const wanted = [
          ...input.documents.map((document, index) => ({
            id: document.id,
            fileName: pdfName(document.name ?? `document-${index + 1}`),
            download: () => universign.downloadSignedDocument(input.transactionId, document.id),
          })),
          {
            id: EVIDENCE_ID,
            fileName: `preuve-${input.transactionId}.pdf`,
            download: () => universign.downloadEvidence(input.transactionId),
          },
        ];
        const archived: string[] = [];
        for (const document of wanted) {
          if (done.has(document.id)) continue;
          let bytes: Uint8Array;
          try {
            bytes = await document.download();
          } catch (err) {
            // Right after completion the archive may not exist yet: a 404 here is worth retrying.
            if (err instanceof TransactionNotFoundError) {
              throw ApplicationFailure.create({ type: 'ArchiveNotReady', message: `${document.fileName}: ${err.message}` });
            }
            throw toActivityFailure(err);
          }
          const stored = await archive.write({ relativeDir, fileName: document.fileName, bytes });
          await prisma.archivedDocument.upsert({
            where: { transactionId_universignDocumentId: { transactionId: transactionRowId, universignDocumentId: document.id } },
            create: {
              transactionId: transactionRowId,
              universignDocumentId: document.id,
              name: document.fileName,
              path: stored.path,
              sha256: stored.sha256,
              sizeBytes: stored.sizeBytes,
            },
            update: {},
          });
          archived.push(stored.path);
        }
        return {
          state: 'done',
          summary: `${wanted.length} file(s) archived under ${relativeDir}`,
          result: { relativeDir, newlyArchived: archived },
        };
      },
    );
  };
}

function pdfName(name: string): string {
  return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}
