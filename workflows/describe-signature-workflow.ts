/** The static summary shown by the Temporal Web UI for a transaction's workflow. */
export function describeSignatureWorkflow(
  transactionId: string,
  sageDocument: { type: string; number: string } | null | undefined,
): string {
  return sageDocument
    ? `Signature Universign ${transactionId} — Sage ${sageDocument.type} ${sageDocument.number}`
    : `Signature Universign ${transactionId} — document Sage inconnu`;
}
