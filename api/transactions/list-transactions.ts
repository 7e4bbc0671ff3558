/** Lists transactions from the database, filtered by local status and Sage document, newest change first. */
import type { Prisma, PrismaClient } from '../../prisma/generated/client';
import { TRANSACTION_VIEW_INCLUDE, toTransactionView } from './get-transaction-view';
import type { ListQuery, TransactionList } from './transaction-schemas';

export async function listTransactions(prisma: PrismaClient, query: ListQuery): Promise<TransactionList> {
  const where: Prisma.SignatureTransactionWhereInput = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.sageDocument ? sageDocumentFilter(query.sageDocument) : {}),
  };
  // Sequential, not in a transaction: the embedded server runs one transaction at a time.
  const rows = await prisma.signatureTransaction.findMany({
    where,
    include: TRANSACTION_VIEW_INCLUDE,
    // The id breaks ties so pages do not overlap when several rows share an update time.
    orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
    take: query.limit,
    skip: query.offset,
  });
  const total = await prisma.signatureTransaction.count({ where });
  return { items: rows.map(toTransactionView), total, limit: query.limit, offset: query.offset };
}

function sageDocumentFilter(value: string): Prisma.SignatureTransactionWhereInput {
  const separator = value.indexOf(':');
  if (separator < 0) return { sageDocumentNumber: value };
  return { sageDocumentType: value.slice(0, separator), sageDocumentNumber: value.slice(separator + 1) };
}
