/**
 * Runs one business action at most once per (transaction, action, status): the action table is
 * checked first, an attempt claims a lease on it (so two attempts never act at once), every
 * attempt is counted, and success is recorded with a summary. A later call (retry, replay,
 * duplicate signal, another worker) finds it done and repeats nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Prisma, type PrismaClient } from '../../prisma/generated/client';
import type { BusinessAction, LocalStatus } from '../../workflows/status-machine';
import type { BusinessActionOutcome } from '../sync-contracts';
import { readActionSummary } from './read-action-summary';

/** Longer than the action activities' 5-minute start-to-close timeout, after which Temporal retries. */
export const ACTION_LEASE_MS = 6 * 60_000;

export interface ActionResult {
  state: 'done' | 'skipped';
  summary: string;
  result?: Prisma.InputJsonValue;
}

export interface RecordedActionContext {
  /** Database id of the transaction row. */
  transactionRowId: string;
}

export async function runRecordedAction(
  prisma: PrismaClient,
  key: { transactionId: string; kind: BusinessAction; status: LocalStatus },
  perform: (context: RecordedActionContext) => Promise<ActionResult>,
): Promise<BusinessActionOutcome> {
  const transaction = await prisma.signatureTransaction.findUnique({
    where: { universignId: key.transactionId },
    select: { id: true },
  });
  if (!transaction) {
    throw ApplicationFailure.create({
      type: 'TransactionNotRecorded',
      message: `transaction ${key.transactionId} is not recorded; its sync must be recorded before its actions`,
      nonRetryable: true,
    });
  }
  const identity = { transactionId: transaction.id, kind: key.kind, status: key.status };
  const existing = await prisma.businessActionRecord.findUnique({ where: { transactionId_kind_status: identity } });
  if (existing && (existing.state === 'done' || existing.state === 'skipped')) {
    return { state: existing.state, summary: readActionSummary(existing.result) ?? '', replayed: true };
  }
  const record = await prisma.businessActionRecord.upsert({
    where: { transactionId_kind_status: identity },
    create: { ...identity, state: 'running', attempts: 0 },
    update: {},
  });
  const now = Date.now();
  const claimed = await prisma.businessActionRecord.updateMany({
    where: {
      id: record.id,
      state: { in: ['running', 'failed'] },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date(now) } }],
    },
    data: { state: 'running', attempts: { increment: 1 }, leaseUntil: new Date(now + ACTION_LEASE_MS) },
  });
  if (claimed.count === 0) {
    const current = await prisma.businessActionRecord.findUniqueOrThrow({ where: { id: record.id } });
    if (current.state === 'done' || current.state === 'skipped') {
      return { state: current.state, summary: readActionSummary(current.result) ?? '', replayed: true };
    }
    throw ApplicationFailure.create({
      type: 'ActionInProgress',
      message: `${key.kind} (${key.status}) is held by another attempt until ${current.leaseUntil?.toISOString()}`,
    });
  }

  let outcome: ActionResult;
  try {
    outcome = await perform({ transactionRowId: transaction.id });
  } catch (err) {
    await prisma.businessActionRecord
      .update({ where: { id: record.id }, data: { lastError: errorText(err), leaseUntil: null } })
      .catch(() => undefined);
    throw err;
  }
  await prisma.businessActionRecord.update({
    where: { id: record.id },
    data: {
      state: outcome.state,
      result: { summary: outcome.summary, ...(outcome.result ? { details: outcome.result } : {}) },
      lastError: null,
      leaseUntil: null,
      completedAt: new Date(),
    },
  });
  return { state: outcome.state, summary: outcome.summary, replayed: false };
}

function errorText(err: unknown): string {
  if (err instanceof ApplicationFailure) return `${err.type ?? 'Error'}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
