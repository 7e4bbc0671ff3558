/** Builds the business-action activities (one per action, so the Web UI names each) from their dependencies. */
import type { BusinessAction } from '../workflows/status-machine';
import { createArchiveSignedDocuments } from './actions/archive-signed-documents';
import type { BusinessActionDeps } from './actions/business-action-deps';
import type { BusinessActionMetrics } from './actions/business-action-metrics';
import { createCancelUniversignTransaction } from './actions/cancel-universign-transaction';
import { createConvertQuoteToOrder } from './actions/convert-quote-to-order';
import { createNotifyByEmail } from './actions/notify-by-email';
import { createRecordActionFailure } from './actions/record-action-failure';
import { createUpdateSageFields } from './actions/update-sage-fields';
import type { BusinessActionInput, BusinessActionOutcome, RecordActionFailureInput } from './sync-contracts';

export function createBusinessActionActivities(deps: BusinessActionDeps & { metrics?: BusinessActionMetrics }) {
  const { metrics } = deps;
  // Each attempt's end counted by kind and outcome; an action found done earlier counts as such, not as done again.
  const counted =
    (kind: BusinessAction, action: (input: BusinessActionInput) => Promise<BusinessActionOutcome>) =>
    async (input: BusinessActionInput): Promise<BusinessActionOutcome> => {
      try {
        const outcome = await action(input);
        metrics?.businessAction(kind, outcome.replayed ? 'already_done' : outcome.state);
        return outcome;
      } catch (err) {
        metrics?.businessAction(kind, 'attempt_failed');
        throw err;
      }
    };
  const recordActionFailure = createRecordActionFailure(deps);
  return {
    updateSageFields: counted('UPDATE_SAGE_FIELDS', createUpdateSageFields(deps)),
    convertQuoteToOrder: counted('CONVERT_QUOTE_TO_ORDER', createConvertQuoteToOrder(deps)),
    notifyByEmail: counted('NOTIFY_BY_EMAIL', createNotifyByEmail(deps)),
    archiveSignedDocuments: counted('ARCHIVE_SIGNED_DOCUMENTS', createArchiveSignedDocuments(deps)),
    cancelUniversignTransaction: counted('CANCEL_UNIVERSIGN_TRANSACTION', createCancelUniversignTransaction(deps)),
    async recordActionFailure(input: RecordActionFailureInput): Promise<void> {
      await recordActionFailure(input);
      metrics?.businessAction(input.kind, 'failed');
    },
  };
}

export type BusinessActionActivities = ReturnType<typeof createBusinessActionActivities>;
