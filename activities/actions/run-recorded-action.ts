/**
 * Runs one business action at most once per (transaction, action, status): the action table is
 * checked first, an attempt claims a lease on it (so two attempts never act at once), every
 * attempt is counted, and success is recorded with a summary. A later call (retry, replay,
 * duplicate signal, another worker) finds it done and repeats nothing.
 *
 * The lease follows the attempt's life: while the effect runs, the attempt heartbeats to Temporal
 * and renews its lease in the database at each heartbeat; it stops renewing once Temporal has
 * cancelled it (timed out, e.g. its heartbeats stopped arriving), so its retry takes over once the
 * lease lapses: a retry that finds the lease held asks Temporal to retry it right after the lease's
 * end (`nextRetryDelay`) rather than after the policy's backoff. The record's attempt count fences
 * the writes: an attempt records its outcome (or its error) only while the record is still its
 * own, so an attempt that lost its lease to a retry and completes late records nothing and fails
 * with `ActionLeaseLost`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma, PrismaClient } from '../../prisma/generated/client';
import { ACTION_START_TO_CLOSE_MS } from '../../workflows/business-action-options';
import { ACTION_ERROR_TYPES } from '../../workflows/error-types';
import type { BusinessAction, LocalStatus } from '../../workflows/status-machine';
import { activityLogger, currentActivityContext, errorText } from '../activity-logger';
import { utcTimestamp } from '../sql-time';
import type { BusinessActionOutcome } from '../sync-contracts';
import { readActionSummary } from './read-action-summary';
import { notePerformed, outcomePerformedEarlier, recordOutcomeUntilWritten } from './record-action-outcome';

/**
 * The lease when the activity has no heartbeat timeout (or runs outside Temporal): a minute longer
 * than an attempt's start-to-close timeout, after which Temporal retries.
 */
export const ACTION_LEASE_MS = ACTION_START_TO_CLOSE_MS + 60_000;
/** With a heartbeat timeout, the lease lasts this many of them, renewed at every heartbeat. */
const LEASE_HEARTBEAT_TIMEOUTS = 2;
/** Heartbeats (and lease renewals) per heartbeat timeout. */
const HEARTBEATS_PER_TIMEOUT = 3;
/** A retry that found the lease held comes this long after the lease's end (clocks and the claim's own time). */
export const LEASE_RETRY_MARGIN_MS = 1_000;

export interface ActionResult {
  state: 'done' | 'skipped';
  summary: string;
  result?: Prisma.InputJsonValue;
}

export interface RecordedActionContext {
  /** Database id of the transaction row. */
  transactionRowId: string;
}

type ActionKey = { transactionId: string; kind: BusinessAction; status: LocalStatus };

/** The record as one attempt holds it: its id and the attempt count its claim set (the fencing token). */
interface HeldRecord {
  id: bigint;
  attempt: number;
}

export async function runRecordedAction(
  prisma: PrismaClient,
  key: ActionKey,
  perform: (context: RecordedActionContext) => Promise<ActionResult>,
): Promise<BusinessActionOutcome> {
  const timing = leaseTiming();
  const claim = await claimAction(prisma, key, timing.leaseMs);
  if ('outcome' in claim) return claim.outcome;
  const held: HeldRecord = { id: claim.id, attempt: claim.attempt };
  // An earlier attempt performed the effect but could not record it: record, never redo.
  const performedEarlier = outcomePerformedEarlier();
  let outcome: ActionResult;
  if (performedEarlier) {
    outcome = performedEarlier;
    activityLogger().info('business action performed by an earlier attempt: recording its outcome without redoing it', {
      transactionId: key.transactionId,
      kind: key.kind,
      status: key.status,
      attempt: held.attempt,
    });
  } else {
    const lease = keepLease(prisma, key, held, timing);
    try {
      outcome = await perform({ transactionRowId: claim.transactionRowId });
    } catch (err) {
      await lease.stop();
      await recordError(prisma, key, held, err);
      throw err;
    }
    await lease.stop();
    notePerformed(outcome);
  }
  const written = await recordOutcomeUntilWritten(outcome, {
    meta: { transactionId: key.transactionId, kind: key.kind, status: key.status, attempt: held.attempt },
    write: async () =>
      (
        await prisma.businessActionRecord.updateMany({
          where: ownedBy(held),
          data: {
            state: outcome.state,
            result: { summary: outcome.summary, ...(outcome.result ? { details: outcome.result } : {}) },
            lastError: null,
            leaseUntil: null,
            completedAt: new Date(),
          },
        })
      ).count,
  });
  if (!written) throw leaseLost(key, held, `its outcome (${outcome.state}: ${outcome.summary}) is not recorded`);
  return { state: outcome.state, summary: outcome.summary, replayed: false };
}

/** The record is still this attempt's: no later attempt took it over, nobody closed it. */
function ownedBy(held: HeldRecord) {
  return { id: held.id, attempts: held.attempt, state: 'running' };
}

function leaseLost(key: ActionKey, held: HeldRecord, what: string): ApplicationFailure {
  const message = `${key.kind} (${key.status}) of ${key.transactionId}: attempt ${held.attempt} no longer holds the record (a later attempt took it over, or it was closed as failed); ${what}`;
  activityLogger().warn(message, { transactionId: key.transactionId, kind: key.kind, status: key.status });
  // Retryable: whoever retries finds the record of the attempt that holds it (done, or in progress).
  return ApplicationFailure.create({ type: 'ActionLeaseLost', message });
}

/**
 * Notes the failure on the record (for the API and the history) if the record is still this
 * attempt's, and releases its lease so the retry need not wait. The error itself is rethrown by
 * the caller: a failure to note it is logged, never thrown over it.
 */
async function recordError(prisma: PrismaClient, key: ActionKey, held: HeldRecord, err: unknown): Promise<void> {
  const meta = { transactionId: key.transactionId, kind: key.kind, status: key.status, attempt: held.attempt, error: errorText(err) };
  try {
    const { count } = await prisma.businessActionRecord.updateMany({
      where: ownedBy(held),
      data: { lastError: errorText(err), leaseUntil: null },
    });
    if (count === 0)
      activityLogger().warn('business action failed after losing its lease to a later attempt: its error is not recorded', meta);
  } catch (recordErr) {
    // The action's own error is the one Temporal gets; the record keeps its lease until it lapses.
    activityLogger().warn('cannot record the business action error; its lease lapses on its own', {
      ...meta,
      recordError: errorText(recordErr),
    });
  }
}

interface LeaseTiming {
  leaseMs: number;
  /** How often the attempt heartbeats and renews its lease. */
  renewEveryMs: number;
}

function leaseTiming(): LeaseTiming {
  const heartbeatTimeoutMs = currentActivityContext()?.info.heartbeatTimeoutMs;
  if (heartbeatTimeoutMs && heartbeatTimeoutMs > 0) {
    return { leaseMs: LEASE_HEARTBEAT_TIMEOUTS * heartbeatTimeoutMs, renewEveryMs: heartbeatTimeoutMs / HEARTBEATS_PER_TIMEOUT };
  }
  return { leaseMs: ACTION_LEASE_MS, renewEveryMs: 30_000 };
}

/**
 * While the effect runs: heartbeats, and renews the lease in the database, every `renewEveryMs`.
 * Renewing stops once Temporal cancelled the attempt (timed out, the workflow gone), or once the
 * record is no longer the attempt's; a renewal that fails is logged and tried again next time.
 */
function keepLease(prisma: PrismaClient, key: ActionKey, held: HeldRecord, timing: LeaseTiming): { stop(): Promise<void> } {
  const context = currentActivityContext();
  const meta = { transactionId: key.transactionId, kind: key.kind, status: key.status, attempt: held.attempt };
  let stopped = false;
  let renewing: Promise<void> | null = null;
  context?.heartbeat();
  const renew = async () => {
    context?.heartbeat();
    if (context?.cancellationSignal.aborted) {
      activityLogger().warn('Temporal cancelled this business action attempt while it runs: its lease is no longer renewed', {
        ...meta,
        reason: String(context.cancellationSignal.reason),
      });
      halt();
      return;
    }
    try {
      const { count } = await prisma.businessActionRecord.updateMany({
        where: ownedBy(held),
        data: { leaseUntil: new Date(Date.now() + timing.leaseMs) },
      });
      if (count === 0 && !stopped) {
        activityLogger().warn('business action lease lost to a later attempt while it runs: its outcome will not be recorded', meta);
        halt();
      }
    } catch (err) {
      activityLogger().warn('cannot renew the business action lease; trying again at the next heartbeat', {
        ...meta,
        error: errorText(err),
      });
    }
  };
  const timer = setInterval(() => {
    if (stopped || renewing) return;
    renewing = renew().finally(() => {
      renewing = null;
    });
  }, timing.renewEveryMs);
  const halt = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    // Waits for a renewal in flight, so it cannot land after the outcome or the error is written.
    async stop() {
      halt();
      await renewing;
    },
  };
}

interface ClaimedRow {
  id: bigint;
  transaction_id: string;
  attempts: number;
}

/**
 * Creates the action's record, or takes it over, with a lease: one statement on the common path
 * (a first attempt, or a retry whose earlier attempt failed or outlived its lease). Nothing is
 * claimed when the transaction is not recorded, the action is already done or skipped, or another
 * attempt holds the lease: a second read then says which.
 */
async function claimAction(
  prisma: PrismaClient,
  key: ActionKey,
  leaseMs: number,
): Promise<{ id: bigint; attempt: number; transactionRowId: string } | { outcome: BusinessActionOutcome }> {
  const now = new Date();
  const [claimed] = await prisma.$queryRaw<ClaimedRow[]>`
    INSERT INTO "business_actions" AS a ("transaction_id", "kind", "status", "state", "attempts", "lease_until", "started_at", "updated_at")
    SELECT t."id", ${key.kind}, ${key.status}::"SignatureStatus", 'running', 1,
      ${utcTimestamp(new Date(now.getTime() + leaseMs))}, ${utcTimestamp(now)}, ${utcTimestamp(now)}
    FROM "signature_transactions" t WHERE t."universign_id" = ${key.transactionId}
    ON CONFLICT ("transaction_id", "kind", "status") DO UPDATE SET
      "state" = 'running', "attempts" = a."attempts" + 1, "lease_until" = EXCLUDED."lease_until", "updated_at" = EXCLUDED."updated_at"
    WHERE a."state" IN ('running', 'failed') AND (a."lease_until" IS NULL OR a."lease_until" < EXCLUDED."updated_at")
    RETURNING a."id", a."transaction_id"::text AS "transaction_id", a."attempts"`;
  if (claimed) return { id: claimed.id, attempt: claimed.attempts, transactionRowId: claimed.transaction_id };

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
    nextRetryDelay: retryWhenLeaseLapses(current.leaseUntil, new Date()),
  });
}

/**
 * The retry comes just after the holder's lease lapses (if its attempt died, the record is free
 * then; if it still runs, it has renewed the lease and the retry waits again), not after the retry
 * policy's backoff, which could leave a crashed worker's action waiting long after its lease.
 */
export function retryWhenLeaseLapses(leaseUntil: Date | null, now: Date): number {
  const remainingMs = (leaseUntil?.getTime() ?? now.getTime()) - now.getTime();
  return Math.min(Math.max(remainingMs, 0), ACTION_LEASE_MS) + LEASE_RETRY_MARGIN_MS;
}
