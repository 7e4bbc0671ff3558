/**
 * Builds the activities of the sendForSignature workflow from the Universign client, so the
 * worker wires the real one and tests whatever they need. All of them call Universign and run on
 * its rate-limited task queue.
 */
import type { UniversignClient } from '../universign-client';
import { createAddSignatureField } from './add-signature-field';
import { createAddUniversignDocument } from './add-universign-document';
import { createAddUniversignSignature } from './add-universign-signature';
import { createCreateUniversignTransaction } from './create-universign-transaction';
import { createSetUniversignParticipant } from './set-universign-participant';
import { createStartUniversignTransaction } from './start-universign-transaction';

export function createSendActivities({ universign }: { universign: UniversignClient }) {
  return {
    createUniversignTransaction: createCreateUniversignTransaction(universign),
    addUniversignDocument: createAddUniversignDocument(universign),
    addSignatureField: createAddSignatureField(universign),
    addUniversignSignature: createAddUniversignSignature(universign),
    setUniversignParticipant: createSetUniversignParticipant(universign),
    startUniversignTransaction: createStartUniversignTransaction(universign),
  };
}

export type SendActivities = ReturnType<typeof createSendActivities>;
