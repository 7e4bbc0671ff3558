/**
 * Turns a signed quote into an order, once. The gateway call carries an Idempotency-Key derived
 * from the transaction, and a 409 (already transformed) yields the existing order, so a crash
 * between the transform and its record ends, on retry, with the same single order.
 */
import { toSageActivityFailure } from '../sage-gateway-errors';
import type { BusinessActionInput, BusinessActionOutcome } from '../sync-contracts';
import type { BusinessActionDeps } from './business-action-deps';
import { runRecordedAction } from './run-recorded-action';

export function createConvertQuoteToOrder({ prisma, sage, settings }: BusinessActionDeps) {
  return async function convertQuoteToOrder(input: BusinessActionInput): Promise<BusinessActionOutcome> {
    return runRecordedAction(
      prisma,
      { transactionId: input.transactionId, kind: 'CONVERT_QUOTE_TO_ORDER', status: input.status },
      async ({ transactionRowId }) => {
        const document = input.sageDocument;
        if (!document) return { state: 'skipped', summary: 'no Sage document linked to this transaction' };
        if (!settings.quoteTypes.includes(document.type)) {
          return { state: 'skipped', summary: `${document.type} ${document.number} is not a quote` };
        }
        if (!sage) return { state: 'skipped', summary: 'Sage gateway not configured (SAGE_GATEWAY_URL)' };
        try {
          // Fails clearly (not found) before any transform is attempted on a document that is gone.
          await sage.getDocument(document.type, document.number);
          const { order, alreadyTransformed } = await sage.transformToOrder(
            document.type,
            document.number,
            `universign-${input.transactionId}-order`,
          );
          await prisma.signatureTransaction.update({
            where: { id: transactionRowId },
            data: { sageOrderType: order.type, sageOrderNumber: order.number },
          });
          return {
            state: 'done',
            summary: `${document.type} ${document.number} → ${order.type} ${order.number}${alreadyTransformed ? ' (already transformed)' : ''}`,
            result: { order: { type: order.type, number: order.number }, alreadyTransformed },
          };
        } catch (err) {
          throw toSageActivityFailure(err);
        }
      },
    );
  };
}
