/**
 * The PDFs the Universign simulator serves once a transaction is completed: each signed document
 * and the requester attestation (evidence). They are deterministic per id, so tests can compare
 * what the product archived with these bytes.
 */
import { renderSimulatedPdf } from './render-simulated-pdf';

/** The bytes the simulator serves for a signed document: tests compare their sha256. */
export function signedPdfFor(documentId: string): Uint8Array {
  return renderSimulatedPdf(['Universign simulator', `Signed document ${documentId}`]);
}

export function evidencePdfFor(transactionId: string): Uint8Array {
  return renderSimulatedPdf(['Universign simulator', `Requester attestation for ${transactionId}`]);
}
