/**
 * Where a Universign transaction records the Sage document it was sent for: two metadata
 * entries (Universign keys are ≤ 20 characters, without `_`, `=` or `+`). Set when sending,
 * read back when a webhook or an operator adopts a transaction the service has not started.
 */
export const SAGE_METADATA_KEYS = { type: 'sageDocumentType', number: 'sageDocumentNumber' } as const;

export function sageDocumentFromMetadata(metadata: Record<string, string> | null | undefined): { type: string; number: string } | null {
  const type = metadata?.[SAGE_METADATA_KEYS.type]?.trim();
  const number = metadata?.[SAGE_METADATA_KEYS.number]?.trim();
  return type && number ? { type, number } : null;
}

export function sageDocumentMetadata(document: { type: string; number: string }): Record<string, string> {
  return { [SAGE_METADATA_KEYS.type]: document.type, [SAGE_METADATA_KEYS.number]: document.number };
}
