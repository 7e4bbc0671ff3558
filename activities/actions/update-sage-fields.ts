/**
 * Writes the signature status to the Sage document's free fields: the status label, the
 * transaction id, and on SIGNE the signature date (the last signer's when Universign gives it).
 * A PATCH of the same values is harmless, so a retry is safe even before the record says done.
 */
import { SAGE_STATUS_LABELS } from '../../workflows/status-machine';
import { toSageActivityFailure } from '../sage-gateway-errors';
import type { BusinessActionInput, BusinessActionOutcome } from '../sync-contracts';
import type { BusinessActionDeps } from './business-action-deps';
import { runRecordedAction } from './run-recorded-action';

export function createUpdateSageFields({ prisma, sage, settings }: BusinessActionDeps) {
  return async function updateSageFields(input: BusinessActionInput): Promise<BusinessActionOutcome> {
    return runRecordedAction(
      prisma,
      { transactionId: input.transactionId, kind: 'UPDATE_SAGE_FIELDS', status: input.status },
      async ({ transactionRowId }) => {
        if (!input.sageDocument) return { state: 'skipped', summary: 'no Sage document linked to this transaction' };
        if (!sage) return { state: 'skipped', summary: 'Sage gateway not configured (SAGE_GATEWAY_URL)' };
        const row = await prisma.signatureTransaction.findUniqueOrThrow({
          where: { id: transactionRowId },
          select: { status: true, signedAt: true },
        });
        // A retry that outlived its status must not write it over a newer one.
        if (row.status !== input.status) return { state: 'skipped', summary: `superseded: the transaction is now ${row.status}` };
        const names = settings.sageFreeFields;
        const fields: Record<string, string | null> = {
          [names.status]: SAGE_STATUS_LABELS[input.status],
          [names.transactionId]: input.transactionId,
        };
        if (input.status === 'SIGNE') {
          fields[names.date] = (row.signedAt ?? new Date(input.at)).toISOString().slice(0, 10);
        }
        try {
          await sage.updateFreeFields(input.sageDocument.type, input.sageDocument.number, fields);
        } catch (err) {
          throw toSageActivityFailure(err);
        }
        return {
          state: 'done',
          summary: `${input.sageDocument.type} ${input.sageDocument.number}: ${Object.keys(fields).join(', ')} updated`,
          result: fields,
        };
      },
    );
  };
}
