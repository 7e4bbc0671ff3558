/**
 * Runs one business action at most once per (transaction, action, status): the action table is
 * checked first, an attempt claims a lease on it (so two attempts never act at once), every
 * attempt is counted, and success is recorded with a summary. A later call (retry, replay,
 * duplicate signal, another worker) finds it done and repeats nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma, PrismaClient } from '../../prisma/generated/client';
import { ACTION_ERROR_TYPES } from '../../workflows/error-types';
import type { BusinessAction, LocalStatus } from '../../workflows/status-machine';
import { utcTimestamp } from '../sql-time';
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
  const claim = await claimAction(prisma, key);
  if ('outcome' in claim) return claim.outcome;

  let outcome: ActionResult;
  try {
    outcome = await perform({ transactionRowId: claim.transactionRowId });
  } catch (err) {
    await prisma.businessActionRecord
      .update({ where: { id: claim.id }, data: { lastError: errorText(err), leaseUntil: null } })
      .catch(() => undefined);
    throw err;
  }
  await prisma.businessActionRecord.update({
    where: { id: claim.id },
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

interface ClaimedRow {
  id: bigint;
  transaction_id: string;
}

/**
 * Creates the action's record, or takes it over, with a lease: one statement on the common path
 * (a first attempt, or a retry whose earlier attempt failed or outlived its lease). Nothing is
 * claimed when the transaction is not recorded, the action is already done or skipped, or another
 * attempt holds the lease: a second read then says which.
 */
async function claimAction(
  prisma: PrismaClient,
  key: { transactionId: string; kind: BusinessAction; status: LocalStatus },
): Promise<{ id: bigint; transactionRowId: string } | { outcome: BusinessActionOutcome }> {
  const now = new Date();
  const [claimed] = await prisma.$queryRaw<ClaimedRow[]>`
    INSERT INTO "business_actions" AS a ("transaction_id", "kind", "status", "state", "attempts", "lease_until", "started_at", "updated_at")
    SELECT t."id", ${key.kind}, ${key.status}::"SignatureStatus", 'running', 1,
      ${utcTimestamp(new Date(now.getTime() + ACTION_LEASE_MS))}, ${utcTimestamp(now)}, ${utcTimestamp(now)}
    FROM "signature_transactions" t WHERE t."universign_id" = ${key.transactionId}
    ON CONFLICT ("transaction_id", "kind", "status") DO UPDATE SET
      "state" = 'running', "attempts" = a."attempts" + 1, "lease_until" = EXCLUDED."lease_until", "updated_at" = EXCLUDED."updated_at"
    WHERE a."state" IN ('running', 'failed') AND (a."lease_until" IS NULL OR a."lease_until" < EXCLUDED."updated_at")
    RETURNING a."id", a."transaction_id"::text AS "transaction_id"`;
  if (claimed) return { id: claimed.id, transactionRowId: claimed.transaction_id };

  const transaction = await prisma.signatureTransaction.findUnique({ where: { universignId: key.transactionId }, select: { id: true } });
  if (!transaction) {
    throw ApplicationFailure.create({
      type: ACTION_ERROR_TYPES.transactionNotRecorded,
      message: `transaction ${key.transactionId} is not recorded; its sync must be recorded before its actions`,
      nonRetryable: true,
    });
  }
  const current = await prisma.businessActionRecord.findUniqueOrThrow({
    where: { transactionId_kind_status: { transactionId: transaction.id, kind: key.kind, status: key.status } },
  });
  if (current.state === 'done' || current.state === 'skipped') {
    return { outcome: { state: current.state, summary: readActionSummary(current.result) ?? '', replayed: true } };
  }
  throw ApplicationFailure.create({
    type: ACTION_ERROR_TYPES.inProgress,
    message: `${key.kind} (${key.status}) is held by another attempt until ${current.leaseUntil?.toISOString()}`,
  });
}

function errorText(err: unknown): string {
  if (err instanceof ApplicationFailure) return `${err.type ?? 'Error'}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
