/**
 * On refusal, cancels the Universign transaction so nobody signs it later (Universign leaves a
 * refused transaction open). Already cancelled (a retry, or someone did it) counts as done.
 */
import { activityLogger, errorText } from '../activity-logger';
import type { BusinessActionInput, BusinessActionOutcome } from '../sync-contracts';
import { toActivityFailure, UniversignBadResponseError } from '../universign-errors';
import type { BusinessActionDeps } from './business-action-deps';
import { runRecordedAction } from './run-recorded-action';

export function createCancelUniversignTransaction({ prisma, universign, settings }: BusinessActionDeps) {
  return async function cancelUniversignTransaction(input: BusinessActionInput): Promise<BusinessActionOutcome> {
    return runRecordedAction(
      prisma,
      { transactionId: input.transactionId, kind: 'CANCEL_UNIVERSIGN_TRANSACTION', status: input.status },
      async () => {
        if (!settings.cancelOnRefusal) return { state: 'skipped', summary: 'cancellation on refusal is turned off' };
        try {
          await universign.cancelTransaction(input.transactionId);
          return { state: 'done', summary: `Universign transaction ${input.transactionId} cancelled` };
        } catch (err) {
          if (err instanceof UniversignBadResponseError) {
            // Refused: maybe because it is cancelled already. If that cannot be read either, the
            // refusal is what the retry acts on; the failed read is logged, not lost.
            const current = await universign.getTransaction(input.transactionId).catch((readErr: unknown) => {
              activityLogger().warn('cancel refused, and the transaction could not be re-read to see whether it is cancelled already', {
                transactionId: input.transactionId,
                cancelError: errorText(err),
                readError: errorText(readErr),
              });
              return null;
            });
            if (current?.state === 'cancelled') {
              return { state: 'done', summary: `Universign transaction ${input.transactionId} was already cancelled` };
            }
          }
          throw toActivityFailure(err);
        }
      },
    );
  };
}
