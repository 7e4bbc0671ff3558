/** Builds the business-action activities (one per action, so the Web UI names each) from their dependencies. */
import { createArchiveSignedDocuments } from './actions/archive-signed-documents';
import type { BusinessActionDeps } from './actions/business-action-deps';
import { createCancelUniversignTransaction } from './actions/cancel-universign-transaction';
import { createConvertQuoteToOrder } from './actions/convert-quote-to-order';
import { createNotifyByEmail } from './actions/notify-by-email';
import { createRecordActionFailure } from './actions/record-action-failure';
import { createUpdateSageFields } from './actions/update-sage-fields';

export function createBusinessActionActivities(deps: BusinessActionDeps) {
  return {
    updateSageFields: createUpdateSageFields(deps),
    convertQuoteToOrder: createConvertQuoteToOrder(deps),
    notifyByEmail: createNotifyByEmail(deps),
    archiveSignedDocuments: createArchiveSignedDocuments(deps),
    cancelUniversignTransaction: createCancelUniversignTransaction(deps),
    recordActionFailure: createRecordActionFailure(deps),
  };
}

export type BusinessActionActivities = ReturnType<typeof createBusinessActionActivities>;
