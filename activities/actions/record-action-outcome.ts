/**
 * Once a business action's effect has happened (the e-mail sent, the order made), recording it is
 * the only thing left to do, and the effect must never run again because the record failed. So:
 * - the outcome goes into the attempt's heartbeat details first: Temporal keeps them, and a later
 *   attempt (after a crash or a timeout) finds the outcome there and records it without redoing
 *   the effect (a worker killed in the instant between the effect and that heartbeat reaching
 *   Temporal still leaves the effect to be redone: the Sage conversion and the archive are
 *   idempotent by their keys, an e-mail would go twice);
 * - a record that fails (the database away) is retried in place, with backoff, heartbeating so
 *   Temporal keeps the attempt alive, until it is written, the attempt loses its record to a later
 *   one, or Temporal cancels the attempt (its retry then records from the heartbeat details).
 */
import type { Prisma } from '../../prisma/generated/client';
import { activityLogger, currentActivityContext, errorText } from '../activity-logger';

export interface PerformedOutcome {
  state: 'done' | 'skipped';
  summary: string;
  result?: Prisma.InputJsonValue;
}

/** What an attempt leaves in its heartbeat details once the effect has happened. */
interface PerformedNote {
  performed: PerformedOutcome;
}

/**
 * First wait after a failed record, doubled up to RECORD_RETRY_MAX_MS: well within the heartbeat
 * timeout (each try heartbeats), and the record follows the database's return within 5 s.
 */
export const RECORD_RETRY_FIRST_MS = 500;
export const RECORD_RETRY_MAX_MS = 5_000;

/** The outcome an earlier attempt of this activity performed but may not have recorded, if any. */
export function outcomePerformedEarlier(): PerformedOutcome | null {
  const details = currentActivityContext()?.info.heartbeatDetails as Partial<PerformedNote> | undefined;
  const performed = details?.performed;
  return performed && (performed.state === 'done' || performed.state === 'skipped') && typeof performed.summary === 'string'
    ? performed
    : null;
}

/** Notes in the attempt's heartbeat details that the effect has happened, with its outcome. */
export function notePerformed(outcome: PerformedOutcome): void {
  currentActivityContext()?.heartbeat({ performed: outcome } satisfies PerformedNote);
}

export interface RecordTarget {
  /** The update that records the outcome; returns how many rows it changed (0: the record is no longer ours). */
  write(): Promise<number>;
  /** What to log with each failed try. */
  meta: Record<string, unknown>;
}

/**
 * Writes the outcome, retrying in place until it is written. Returns false when the record is no
 * longer this attempt's (a later attempt holds it). Throws only when Temporal cancels the attempt.
 */
export async function recordOutcomeUntilWritten(outcome: PerformedOutcome, target: RecordTarget): Promise<boolean> {
  const context = currentActivityContext();
  let wait = RECORD_RETRY_FIRST_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await target.write()) > 0;
    } catch (err) {
      activityLogger().warn('cannot record a business action that has happened; retrying the record, never the effect', {
        ...target.meta,
        recordAttempt: attempt,
        retryInMs: wait,
        error: errorText(err),
      });
    }
    notePerformed(outcome); // a heartbeat keeps the attempt alive while it waits
    // Context.sleep ends early with a CancelledFailure when Temporal cancels the attempt.
    if (context) await context.sleep(wait);
    else await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, RECORD_RETRY_MAX_MS);
  }
}
